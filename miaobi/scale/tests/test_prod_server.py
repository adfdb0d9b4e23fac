"""`miaobi serve --prod` for real: pages, hashed and compressed static files, a worker killed mid-write."""
import os
import re
import signal
import sqlite3
import threading
import time

import pytest

from .servers import Server, miaobi, site_env


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A data directory with the demo library, migrated once for this module."""
    data_dir = tmp_path_factory.mktemp("prod-site")
    env = site_env(data_dir, DJANGO_SETTINGS_MODULE="miaobi.scale.tests.fault_settings")
    miaobi(env, "migrate", "--noinput", "-v0")
    miaobi(env, "demo")
    return env


@pytest.mark.parametrize("server", ["gunicorn", "granian"])
def test_serve_prod_pages_and_static_files(site, server):
    prod = Server(site, server=server, workers=2)
    try:
        status, _, body = prod.get("/")
        assert status == 200
        home = body.decode()
        article = re.search(r'href="(/a/\d+/)"', home).group(1)
        status, _, body = prod.get(article)
        assert status == 200 and "<h1" in body.decode()
        css = re.search(r'/static/miaobi/site\.[0-9a-f]{12}\.css', home).group(0)  # hashed name from static()
        status, headers, body = prod.get(css, headers={"Accept-Encoding": "gzip"})
        assert status == 200 and headers.get("Content-Encoding") == "gzip"
        assert "immutable" in headers["Cache-Control"] and "max-age=315360000" in headers["Cache-Control"]
        status, _, body = prod.get("/admin/login/")
        assert status == 200 and re.search(r"/static/admin/css/base\.[0-9a-f]{12}\.css", body.decode())
    finally:
        assert prod.stop() == 0, prod.output()


def rows(data_dir: str, tag: str) -> list[str]:
    with sqlite3.connect(os.path.join(data_dir, "miaobi.sqlite3")) as db:
        return [r[0] for r in db.execute("SELECT key FROM accounts_loginfailure WHERE key LIKE ?", (f"fault:{tag}:%",))]


def test_a_worker_killed_during_a_write(site):
    prod = Server(site, server="gunicorn", workers=2)
    try:
        workers = set(prod.worker_pids(expect=2))
        assert len(workers) == 2
        pid_file = os.path.join(site["MIAOBI_DATA_DIR"], "slow-killed.pid")
        outcome = {}

        def slow():
            try:
                outcome["answer"] = prod.get("/__fault__/slow-write/?tag=killed&sleep=20", timeout=30)
            except OSError as exc:  # the connection dies with the worker
                outcome["error"] = exc

        request = threading.Thread(target=slow)
        request.start()
        for _ in range(100):
            if os.path.exists(pid_file):
                break
            time.sleep(0.1)
        victim = int(open(pid_file).read())
        assert victim in workers
        os.kill(victim, signal.SIGKILL)
        request.join(timeout=30)
        assert "error" in outcome or outcome["answer"][0] >= 500

        # Other requests go on, the master starts a new worker, and nothing of the killed write remains.
        assert [prod.get("/")[0] for _ in range(5)] == [200] * 5
        for _ in range(100):
            now = set(prod.worker_pids())
            if len(now) == 2 and victim not in now:
                break
            time.sleep(0.1)
        assert len(now) == 2 and victim not in now
        assert rows(site["MIAOBI_DATA_DIR"], "killed") == []
        # The database is not left locked: the next write goes through whole.
        assert prod.get("/__fault__/slow-write/?tag=after")[0] == 200
        assert sorted(rows(site["MIAOBI_DATA_DIR"], "after")) == ["fault:after:first", "fault:after:second"]
    finally:
        prod.stop()
