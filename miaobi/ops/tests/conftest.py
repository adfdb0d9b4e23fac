"""A small studio's site (articles, an order with messages and files, codes, members, uploads) and fresh
databases to restore or copy it into; helpers to compare two databases row by row."""
import os
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings

from miaobi.accounts.codes import generate_codes
from miaobi.accounts.models import Membership, Plan, User
from miaobi.ops.database import stored_models
from miaobi.orders.services import create_order, post_message
from miaobi.orders.tests.conftest import upload
from miaobi.orders.workflow import CUSTOMER, STAFF, Actor

BASE_DIR = Path(settings.BASE_DIR)


def postgres_server_url() -> str:
    """The PostgreSQL server of the test run (DATABASE_URL), else the local one."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        return url.rsplit("/", 1)[0]
    return os.environ.get("MIAOBI_TEST_POSTGRES_SERVER", "postgres://postgres@127.0.0.1:5432")


def _admin_connection():
    import psycopg

    return psycopg.connect(f"{postgres_server_url()}/postgres", autocommit=True, connect_timeout=3)


@pytest.fixture
def fresh_postgres():
    """The URL of a new, empty PostgreSQL database, dropped after the test."""
    import psycopg

    try:
        admin = _admin_connection()
    except psycopg.OperationalError as exc:
        pytest.skip(f"no PostgreSQL server at {postgres_server_url()}: {exc}")
    name = f"ops_test_{uuid.uuid4().hex[:12]}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"{postgres_server_url()}/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def site_dir(tmp_path, settings):
    """The site's data dir for the test: uploads and a generated secret key in tmp_path."""
    data = tmp_path / "site"
    (data / "uploads").mkdir(parents=True)
    (data / "secret_key").write_text("k" * 60)
    settings.DATA_DIR = data
    settings.MEDIA_ROOT = data / "uploads"
    return data


@pytest.fixture
def studio(site_dir, make_article, reader_client_factory):
    """Articles with genres and tags, members, codes, an order with messages and files, an upload."""
    speech = make_article(title="在全县安全生产工作会议上的讲话", tags=["安全生产", "基层治理"])
    make_article(title="乡村振兴调研报告", genre="diaoyan", tags=["乡村振兴"])
    make_article(title="草稿：工会工作计划", genre="jihua", tags=["工会"], status="draft")
    plan, _ = Plan.objects.get_or_create(code="month", defaults={"name": "月卡", "kind": "time", "days": 30})
    generate_codes(plan=plan, count=5, note="backup test")
    member = reader_client_factory().user
    Membership.objects.create(user=member, plan=plan, starts_at=speech.published_at,
                              ends_at=speech.published_at + timedelta(days=30))
    customer = User.objects.create_user(username="13622223333", mobile="13622223333", password="Qingshan-2026")
    editor = User.objects.create_user(username="bianji", password="Qingshan-2026", is_staff=True)
    order = create_order(customer=customer, topic="在全镇防汛工作会议上的讲话", occasion="镇防汛工作会议",
                         length_chars=3000, deadline=speech.published_at, references=[speech],
                         contact_mobile="13622223333")
    post_message(order, actor=Actor(CUSTOMER, customer), body="附上去年的材料，请参考。",
                 files=[upload("去年材料.docx")])
    post_message(order, actor=Actor(STAFF, editor), body="收到，明天给您报价。")
    return {"order": order, "articles": 3}


def rows_by_model(alias: str = "default") -> dict[str, list[tuple]]:
    """Every row of every model, in primary-key order, as plain values (comparable across databases)."""
    result = {}
    for model in stored_models():
        names = [f.attname for f in model._meta.concrete_fields if f.column]
        rows = model._base_manager.using(alias).order_by("pk").values_list(*names)
        result[model._meta.label] = [tuple(bytes(v) if isinstance(v, memoryview) else v for v in row) for row in rows]
    return result


def uploaded_files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def run_miaobi(*args, env=None, check=True):
    """The `miaobi` command in a child process (a site of its own: its env names its data dir and database)."""
    # Not the test run's database, data dir, or async-safety switch (set by the browser tests).
    dropped = {"DATABASE_URL", "MIAOBI_DATA_DIR", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    child_env = {k: v for k, v in os.environ.items() if k not in dropped}
    child_env.update(env or {})
    result = subprocess.run([sys.executable, "-m", "miaobi.cli", *args], env=child_env, cwd=BASE_DIR,
                            capture_output=True, text=True, timeout=300)
    if check and result.returncode != 0:
        raise AssertionError(f"miaobi {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result

