"""Originality check (查重) on planted cases, the `check` command, and order deliveries."""
import io
import json

import pytest
from django.core.management import call_command

from miaobi.importer.originality import level, originality_report

from .texts import LIB_ONLINE, LIB_RIVER, LIB_SCHOOL, LIB_VILLAGE, ORIGINAL, planted_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(make_article):
    return {
        "river": make_article(title="全县河长制工作总结", body=LIB_RIVER, genre="zongjie"),
        "school": make_article(title="在秋季开学校园安全工作会上的讲话", body=LIB_SCHOOL),
        "online": make_article(title="关于政务服务数字化改革的调研报告", body=LIB_ONLINE, genre="diaoyan"),
        "village": make_article(title="村庄清洁行动实施方案", body=LIB_VILLAGE, genre="fangan"),
    }


def test_planted_copies_found(library):
    text = planted_text()
    report = originality_report(text)
    print(f"\nplanted 31.0% copied (1 verbatim, 2 reworded): reported {report['percent']}%, "
          f"sources {[(s['title'], s['percent']) for s in report['sources']]}")
    assert 25 <= report["percent"] <= 35
    assert {s["id"] for s in report["sources"]} == {library[k].pk for k in ("river", "school", "online")}
    assert report["level"] == "red" if report["percent"] >= 30 else "amber"
    for passage in report["passages"]:
        assert passage["text"] in text  # verbatim slices, side by side with the source's
        source = next(a for a in library.values() if a.pk == passage["source"])
        assert passage["source_text"] in source.body and passage["url"] == source.get_absolute_url()
    assert any("截污纳管工程" in p["text"] for p in report["passages"])


def test_original_text_is_below_five_percent(library):
    text = "\n".join(["".join(ORIGINAL[:8]), "".join(ORIGINAL[8:])])
    report = originality_report(text)
    print(f"\noriginal text: reported {report['percent']}%")
    assert report["percent"] < 5 and report["level"] == "green"


def test_exclude_and_empty(library):
    assert originality_report(LIB_RIVER)["percent"] == 100.0
    assert originality_report(LIB_RIVER, exclude={library["river"].pk})["percent"] == 0.0
    assert originality_report("")["percent"] == 0.0


def test_levels(settings):
    settings.MIAOBI_ORIGINALITY_AMBER, settings.MIAOBI_ORIGINALITY_RED = 10, 30
    assert [level(p) for p in (0, 9.9, 10, 29.9, 30, 100)] == ["green", "green", "amber", "amber", "red", "red"]


def test_check_command(library, tmp_path):
    path = tmp_path / "draft.txt"
    path.write_text("关于社区阅读推广的情况汇报\n" + planted_text(), encoding="gbk")
    out = io.StringIO()
    call_command("check", str(path), "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert 20 <= report["percent"] <= 35 and len(report["sources"]) == 3
    out = io.StringIO()
    call_command("check", str(path), stdout=out)
    assert out.getvalue().startswith("重复率 ")


def test_django_system_check_still_works():
    out = io.StringIO()
    call_command("check", stdout=out)
    assert "no issues" in out.getvalue()
