"""A studio outgrows SQLite: `miaobi copydb --to postgres://…` moves the site, search included."""
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from miaobi.ops.database import database_at

from .conftest import rows_by_model, run_miaobi

pytestmark = pytest.mark.django_db(transaction=True)

SEARCH = """
import json
from miaobi.search.query import parse_query
from miaobi.search.services import search
from miaobi.library.models import Article
outcome = search(parse_query("安全生产"))
print(json.dumps([Article.objects.get(pk=pk).title for pk in outcome.ids], ensure_ascii=False))
"""


@pytest.fixture(params=["postgresql", "sqlite"])
def target_url(request, tmp_path):
    if request.param == "postgresql":
        return request.getfixturevalue("fresh_postgres")
    return f"sqlite:///{tmp_path / 'copy.sqlite3'}"


def test_copy_keeps_every_row_and_the_copy_finds_articles(studio, tmp_path, target_url, capsys):
    call_command("copydb", "--to", target_url)
    assert "row counts verified" in capsys.readouterr().out

    with database_at(target_url) as copy:
        assert rows_by_model(copy) == rows_by_model("default")

    # The copied site, started on the target database, finds articles by search and takes new rows.
    env = {"DATABASE_URL": target_url, "MIAOBI_DATA_DIR": str(tmp_path / "copied-site")}
    found = json.loads(run_miaobi("shell", "-c", SEARCH, env=env).stdout.strip().splitlines()[-1])
    assert found == ["在全县安全生产工作会议上的讲话"]
    run_miaobi("shell", "-c", "from miaobi.library.models import Tag; Tag.objects.create(name='新主题', slug='xin')",
               env=env)  # sequences were reset: a new row does not collide with a copied id


def test_a_target_with_data_is_refused(studio, fresh_postgres):
    call_command("copydb", "--to", fresh_postgres)
    with pytest.raises(CommandError, match="refusing to overwrite"):
        call_command("copydb", "--to", fresh_postgres)
    call_command("copydb", "--to", fresh_postgres, "--force")


def test_bad_targets_get_clear_errors(studio, tmp_path):
    with pytest.raises(CommandError, match="not a database Miaobi runs on"):
        call_command("copydb", "--to", "mysql://nobody@127.0.0.1/x")
    if connection.vendor == "sqlite":
        with pytest.raises(CommandError, match="the site's own database"):
            call_command("copydb", "--to", f"sqlite:///{connection.settings_dict['NAME']}")
