"""Lexicon import/export: text and CSV, the CLI and the admin; every bad input is refused whole, with reasons."""
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from miaobi.moderation.lexicon_io import LexiconFormatError, export_lexicon, import_lexicon, parse_lexicon
from miaobi.moderation.models import Term, WhitelistEntry
from miaobi.moderation.services import screen_text

pytestmark = pytest.mark.django_db

TEXT_FILE = """# 本工作室词库
代刷好评\t广告引流\t待审
线下交易\t广告引流\t提示
违禁样例词\t违法违规
老名称样例\t过时提法\t提示\t新名称样例\t机构改革后
学习园地\t白名单
高价回收 ads block
"""


def test_default_lexicon_is_loaded_by_the_migration():
    assert Term.objects.filter(text="加微信", category="ads", action="review").exists()
    assert Term.objects.filter(category="outdated").exclude(replacement="").exists()
    assert screen_text("欢迎加 微 信咨询").needs_review


def test_import_text_format_with_defaults_aliases_and_whitelist():
    report = import_lexicon(TEXT_FILE.encode(), filename="studio.txt")
    assert (report.created, report.whitelist_created) == (5, 1)
    t = Term.objects.get(text="违禁样例词")
    assert (t.category, t.action) == ("illegal", "block")  # action by category
    t = Term.objects.get(text="老名称样例")
    assert (t.action, t.replacement, t.note) == ("flag", "新名称样例", "机构改革后")
    assert Term.objects.get(text="高价回收").action == "block"  # codes work as well as labels
    assert WhitelistEntry.objects.filter(text="学习园地").exists()
    again = import_lexicon(TEXT_FILE.encode(), filename="studio.txt")
    assert (again.created, again.updated, again.unchanged, again.whitelist_existing) == (0, 0, 5, 1)


def test_import_csv_with_and_without_header():
    import_lexicon("term,category,action,replacement,note,active\n刷好评样例,广告引流,拦截,,,1\n停用样例,自定义,待审,,,0\n".encode(), filename="a.csv")
    assert Term.objects.get(text="刷好评样例").action == "block"
    assert Term.objects.get(text="停用样例").is_active is False
    import_lexicon("另一样例,低俗,review\n".encode(), fmt="csv")
    assert Term.objects.get(text="另一样例").category == "vulgar"
    import_lexicon("\ufeff词语,类别\n带表头样例,广告引流\n".encode("utf-8"))
    assert Term.objects.get(text="带表头样例").action == "review"


def test_import_updates_existing_terms_by_matching_form_and_never_deletes():
    import_lexicon("改动样例\t广告引流\t提示\n".encode())
    count = Term.objects.count()
    report = import_lexicon("改 动 样 例\t广告引流\t拦截\n".encode())
    assert (report.created, report.updated) == (0, 1)
    assert Term.objects.count() == count
    term = Term.objects.get(normalized="改动样例")
    assert term.action == "block" and term.text == "改动样例"  # the stored spelling stays


@pytest.mark.parametrize("data, fmt, needle", [
    (b"", "auto", "empty"),
    (b"   \n\n", "auto", "empty"),
    (b"# only a comment\n", "auto", "no terms"),
    ("好样例\t广告引流\n样例乙\t不存在的类别\n".encode(), "text", "unknown category"),
    ("好样例\t广告引流\n样例甲\t广告引流\t删除\n".encode(), "text", "unknown action"),
    ("好样例\t广告引流\n***\t广告引流\n".encode(), "text", "no letters"),
    ("好样例\t广告引流\n\t广告引流\n".encode(), "text", "empty term"),
    ("好样例\t广告引流\n样例\t广告引流\t待审\t替换\t备注\t多余\n".encode(), "text", "too many fields"),
    (("好样例\t广告引流\n" + "长" * 101 + "\n").encode(), "text", "longer than 100"),
    ("好样例\t广告引流\n样例丙\t广告引流\t待审\n样例丙\t低俗\t待审\n".encode(), "text", "repeats line 2"),
    ("好样例\t广告引流\n学习园地\t白名单\t拦截\n".encode(), "text", "whitelist entry takes no action"),
    ("term,colour\n好样例,红\n".encode(), "csv", "unknown column"),
    ("好样例,广告引流\n样例,广告引流,待审,,,maybe\n".encode(), "csv", "active must be 1 or 0"),
    ("好样例,广告引流\n样例,广告引流,待审,,,1,多\n".encode(), "csv", "columns"),
    ("好样例\t广告引流\n".encode("gbk"), "text", "not valid utf-8"),
    ("好样例".encode("utf-16"), "text", "not valid utf-8"),
])
def test_bad_input_is_refused_whole_with_a_clear_error(data, fmt, needle):
    before = list(Term.objects.values_list("normalized", "category", "action").order_by("normalized"))
    with pytest.raises(LexiconFormatError) as info:
        import_lexicon(data, fmt=fmt)
    assert needle in str(info.value).lower()
    assert all(getattr(e, "zh", "") for e in info.value.errors)  # a Chinese version for the admin
    after = list(Term.objects.values_list("normalized", "category", "action").order_by("normalized"))
    assert after == before and not Term.objects.filter(text="好样例").exists()


def test_every_bad_line_is_listed_with_its_number():
    with pytest.raises(LexiconFormatError) as info:
        parse_lexicon("好\n坏一\t不存在\n好二\n坏二\t广告引流\t乱写\n", "text")
    assert [e.split(":")[0] for e in info.value.errors] == ["line 2", "line 4"]
    assert info.value.errors_zh[0].startswith("第 2 行")


def test_gbk_file_imports_with_the_right_encoding():
    report = import_lexicon("编码样例\t广告引流\n".encode("gb18030"), encoding="gb18030")
    assert report.created == 1 and Term.objects.filter(text="编码样例").exists()


def test_export_then_import_into_an_empty_lexicon_gives_the_same_lexicon():
    import_lexicon(TEXT_FILE.encode())
    import_lexicon("停用样例,自定义,待审,,,0\n".encode(), fmt="csv")

    def snapshot():
        return (sorted(Term.objects.values_list("text", "normalized", "category", "action", "replacement", "note", "is_active")),
                sorted(WhitelistEntry.objects.values_list("text", "normalized")))

    for fmt in ("csv", "text"):
        before = snapshot()
        exported = export_lexicon(fmt)
        Term.objects.all().delete()
        WhitelistEntry.objects.all().delete()
        import_lexicon(exported.encode(), fmt=fmt)
        after = snapshot()
        if fmt == "text":  # the text format has no column for inactive terms and says so
            assert "停用词条未导出" in exported
            before = ([t for t in before[0] if t[-1]], before[1])
            import_lexicon("停用样例,自定义,待审,,,0\n".encode(), fmt="csv")
        assert after == before


def test_cli_import_export_and_errors(tmp_path):
    path = tmp_path / "words.txt"
    path.write_text(TEXT_FILE, encoding="utf-8")
    out = StringIO()
    call_command("lexicon", "import", str(path), "--dry-run", stdout=out)
    assert "dry run" in out.getvalue() and not Term.objects.filter(text="代刷好评").exists()
    out = StringIO()
    call_command("lexicon", "import", str(path), stdout=out)
    assert "5 created" in out.getvalue() and Term.objects.filter(text="代刷好评").exists()
    out = StringIO()
    call_command("lexicon", "export", "--format", "csv", stdout=out)
    assert out.getvalue().startswith("term,category,action") and "代刷好评,广告引流,待审" in out.getvalue()
    target = tmp_path / "out.txt"
    call_command("lexicon", "export", "-o", str(target), stderr=StringIO())
    assert "代刷好评\t广告引流\t待审" in target.read_text(encoding="utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_text("样例\t没有这个类别\n", encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError, match="nothing imported"):
        call_command("lexicon", "import", str(bad), stderr=err)
    assert "line 1: unknown category" in err.getvalue()
    with pytest.raises(CommandError, match="no such file"):
        call_command("lexicon", "import", str(tmp_path / "missing.txt"))


def test_admin_import_and_export(staff_client, django_user_model):
    admin = django_user_model.objects.create_superuser("boss", password="pw-boss-123")
    staff_client.force_login(admin)
    page = staff_client.get("/admin/moderation/term/")
    assert "导入词库" in page.content.decode()
    response = staff_client.post("/admin/moderation/term/import/", {"text": "后台样例\t广告引流\t拦截", "format": "auto", "encoding": "utf-8"})
    assert response.status_code == 302 and Term.objects.get(text="后台样例").action == "block"
    response = staff_client.post("/admin/moderation/term/import/", {"text": "坏样例\t不存在", "format": "auto", "encoding": "utf-8"})
    html = response.content.decode()
    assert response.status_code == 200 and "未导入任何内容" in html and "第 1 行" in html
    assert not Term.objects.filter(text="坏样例").exists()
    from django.core.files.uploadedfile import SimpleUploadedFile
    upload = SimpleUploadedFile("w.csv", "上传样例,低俗,提示\n".encode())
    response = staff_client.post("/admin/moderation/term/import/", {"file": upload, "format": "auto", "encoding": "utf-8"})
    assert response.status_code == 302 and Term.objects.get(text="上传样例").category == "vulgar"
    export = staff_client.get("/admin/moderation/term/export/?format=csv")
    assert export["Content-Disposition"].endswith('.csv"') and "上传样例" in export.content.decode()
    assert "后台样例" in staff_client.get("/admin/moderation/term/export/").content.decode()


def test_admin_import_requires_permission(staff_client):
    assert staff_client.get("/admin/moderation/term/import/").status_code == 403


def test_admin_term_form_refuses_duplicates_and_empty_terms(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("boss", password="pw-boss-123"))
    data = {"category": "ads", "action": "review", "replacement": "", "note": "", "is_active": "on"}
    response = client.post("/admin/moderation/term/add/", {**data, "text": "加 Ｖ"})
    assert response.status_code == 200 and "与已有的词语“加V”相同" in response.content.decode()
    response = client.post("/admin/moderation/term/add/", {**data, "text": "* *"})
    assert "什么也不剩" in response.content.decode()
    response = client.post("/admin/moderation/term/add/", {**data, "text": "新词样例"})
    assert response.status_code == 302 and Term.objects.get(text="新词样例").normalized == "新词样例"
    response = client.post("/admin/moderation/whitelistentry/add/", {"text": "新词样例说明", "note": ""})
    assert response.status_code == 302
    response = client.post("/admin/moderation/whitelistentry/add/", {"text": "新词样例 说明", "note": ""})
    assert "白名单词语" in response.content.decode()
