"""The import command and services: batches, safety limits, idempotence, duplicates, transactions."""
import io
import json
import os
import zipfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from miaobi.importer import index, services
from miaobi.importer import signatures as sig
from miaobi.importer.models import Fingerprint, LshBucket, NearDuplicate, RecentFingerprint, TextSignature
from miaobi.library.models import Article

from .helpers import SPEECH_BODY, SPEECH_TITLE, make_docx

pytestmark = pytest.mark.django_db

SUMMARY_TEXT = """关于二〇二四年度社区食堂运营情况的工作总结
一、基本情况
今年社区食堂共接待老年居民四万余人次，日均供餐一百二十份，满意度调查达到百分之九十六。
二、主要做法
（一）合理定价。对八十岁以上老人实行半价，对困难家庭免费送餐上门。
（二）规范管理。食材统一从定点市场采购，每日留样备查，厨房实行明厨亮灶。
三、存在问题
部分菜品口味偏咸，送餐时段集中，志愿者人手紧张。
四、下一步打算
我们将联合辖区单位招募助餐志愿者，开设低盐健康菜单，让老人吃得更放心。
"""


def run(*args):
    out = io.StringIO()
    call_command("import", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture
def folder(tmp_path, catalogue):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "speech.txt").write_bytes(f"{SPEECH_TITLE}\n{SPEECH_BODY}".encode("gbk"))
    (tmp_path / "a" / "summary.md").write_text(SUMMARY_TEXT, encoding="utf-8")
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    return tmp_path


def test_json_shape_and_articles(folder):
    summary = run(str(folder))
    assert set(summary) == {"imported", "duplicates", "near_duplicates", "skipped", "errors"}
    assert len(summary["imported"]) == 2 and summary["errors"] == [] and summary["duplicates"] == []
    assert summary["skipped"] == [{"path": str(folder / "photo.jpg"), "reason": "不支持的文件类型：.jpg"}]
    speech = Article.objects.get(title=SPEECH_TITLE)
    assert speech.body == SPEECH_BODY and speech.genre.slug == "jianghua" and speech.status == Article.Status.DRAFT
    assert speech.external_key.startswith("import:")
    summary_article = Article.objects.get(title__startswith="关于二〇二四年度")
    assert summary_article.genre.slug == "zongjie"
    assert TextSignature.objects.filter(article=speech).exists() and index.fingerprint_rows(speech.pk)


def test_rerun_imports_nothing_twice(folder):
    first = run(str(folder))
    count = Article.objects.count()
    second = run(str(folder))
    assert second["imported"] == [] and Article.objects.count() == count
    assert sorted(d["article"] for d in second["duplicates"]) == sorted(first["imported"])


def test_dry_run_writes_nothing(folder):
    summary = run(str(folder), "--dry-run")
    assert len(summary["imported"]) == 2
    assert Article.objects.count() == 0 and TextSignature.objects.count() == 0


def test_publish_genre_and_tags(folder):
    run(str(folder / "a" / "summary.md"), "--publish", "--genre", "huibao", "--tag", "民生保障")
    article = Article.objects.get()
    assert article.status == Article.Status.PUBLISHED and article.genre.slug == "huibao"
    assert [t.name for t in article.tags.all()] == ["民生保障"]


def test_bad_option_is_a_clear_error(folder):
    with pytest.raises(CommandError, match="没有这个文种：诗歌"):
        run(str(folder), "--genre", "诗歌")
    assert Article.objects.count() == 0


def test_one_bad_file_does_not_stop_the_batch(folder):
    (folder / "a" / "broken.docx").write_bytes(b"PK\x03\x04 broken")
    (folder / "a" / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    (folder / "a" / "empty.txt").write_bytes(b"")
    summary = run(str(folder), str(folder / "missing.txt"))
    assert len(summary["imported"]) == 2
    reasons = {os.path.basename(e["path"]): e["reason"] for e in summary["errors"]}
    assert reasons["broken.docx"] == "无法读取 .docx 文件（文件可能已损坏或不是 Word 文档）"
    assert reasons["old.doc"] == "不支持 .doc 格式，请另存为 .docx 后再导入"
    assert reasons["empty.txt"] == "文件为空"
    assert reasons["missing.txt"] == "文件不存在"


def test_a_failure_inside_the_transaction_leaves_no_half_article(folder, monkeypatch):
    def boom(article):
        raise RuntimeError("indexing died")

    monkeypatch.setattr(services, "article_changed", boom)
    with pytest.raises(RuntimeError):
        run(str(folder / "a" / "summary.md"))
    assert Article.objects.count() == 0 and TextSignature.objects.count() == 0
    assert not Fingerprint.objects.exists() and not RecentFingerprint.objects.exists()


def test_file_size_limit(folder, settings):
    settings.MIAOBI_IMPORT_MAX_BYTES = 100
    summary = run(str(folder / "a" / "summary.md"))
    assert summary["errors"][0]["reason"].startswith("文件过大")


def test_zip_archive_traversal_and_bomb(tmp_path, catalogue, settings):
    settings.MIAOBI_IMPORT_MAX_BYTES = 2 * 1024 * 1024
    archive = tmp_path / "batch.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("texts/summary.txt", SUMMARY_TEXT.encode("gb18030"))
        zf.writestr("../../etc/evil.txt", "关于越界路径的测试文本\n这一行不应被导入。")
        zf.writestr("/abs/evil.txt", "关于绝对路径的测试文本\n这一行不应被导入。")
        zf.writestr("bomb.txt", b"\x00" * (20 * 1024 * 1024))  # 20 MB of zeros: a few KB compressed
        zf.writestr("readme.exe", b"MZ")
    summary = run(str(archive))
    assert len(summary["imported"]) == 1
    reasons = {e["path"].split("!", 1)[1]: e["reason"] for e in summary["errors"]}
    assert reasons["../../etc/evil.txt"] == "压缩包内的文件路径不安全（含 ../ 或绝对路径），已拒绝"
    assert reasons["/abs/evil.txt"] == "压缩包内的文件路径不安全（含 ../ 或绝对路径），已拒绝"
    assert reasons["bomb.txt"] == "压缩包内文件解压后过大（疑似压缩炸弹），已拒绝"
    assert summary["skipped"][0]["reason"] == "不支持的文件类型：.exe"
    assert not (tmp_path.parent / "etc").exists()


def test_zip_bomb_with_a_lying_header_is_cut_at_the_limit(tmp_path, catalogue, settings):
    settings.MIAOBI_IMPORT_MAX_BYTES = 1024
    archive = tmp_path / "liar.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("big.txt", "很长的测试文字。" * 2000)
    data = bytearray(archive.read_bytes())
    # Rewrite the declared size in the central directory to a small number.
    central = data.rfind(b"PK\x01\x02")
    data[central + 24:central + 28] = (10).to_bytes(4, "little")
    archive.write_bytes(bytes(data))
    summary = run(str(archive))
    assert summary["imported"] == [] and len(summary["errors"]) == 1


def test_corrupt_zip(tmp_path, catalogue):
    (tmp_path / "bad.zip").write_bytes(b"PK\x05\x06 nonsense")
    assert run(str(tmp_path / "bad.zip"))["errors"][0]["reason"] == "压缩包已损坏或不是 zip 文件"


def test_symlink_outside_the_folder_is_not_followed(tmp_path, catalogue):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("关于内部资料的说明\n这是导入目录之外的文件。", encoding="utf-8")
    root = tmp_path / "root"
    root.mkdir()
    (root / "inside.txt").write_text(SUMMARY_TEXT, encoding="utf-8")
    os.symlink(outside / "secret.txt", root / "link.txt")
    os.symlink(outside, root / "linkdir")
    os.symlink(root / "inside.txt", root / "alias.txt")  # inside the folder: followed (and a duplicate)
    summary = run(str(root))
    assert len(summary["imported"]) == 1
    assert {os.path.basename(e["path"]) for e in summary["errors"]} == {"link.txt", "linkdir"}
    assert all(e["reason"] == "符号链接指向导入文件夹之外，已拒绝" for e in summary["errors"])
    assert len(summary["duplicates"]) == 1
    assert not Article.objects.filter(title="关于内部资料的说明").exists()


def test_docx_import(tmp_path, catalogue):
    path = tmp_path / "述职.docx"
    path.write_bytes(make_docx("2024年度个人述职报告", [("一、履职情况", "Heading 1"), ("全年牵头完成三项改革任务。", None)]))
    summary = run(str(path))
    article = Article.objects.get(pk=summary["imported"][0])
    assert article.title == "2024年度个人述职报告" and article.genre.slug == "shuzhi"
    assert article.body == "一、履职情况\n全年牵头完成三项改革任务。"


def test_near_duplicate_imported_as_flagged_draft(tmp_path, catalogue):
    (tmp_path / "one.txt").write_text(SUMMARY_TEXT, encoding="utf-8")
    first = run(str(tmp_path / "one.txt"))["imported"][0]
    edited = SUMMARY_TEXT.replace("四万余人次", "三万八千人次").replace("志愿者人手紧张", "志愿者人手不足")
    (tmp_path / "two.txt").write_text(edited, encoding="utf-8")
    summary = run(str(tmp_path / "two.txt"), "--publish")
    assert len(summary["near_duplicates"]) == 1
    near = summary["near_duplicates"][0]
    assert near["similar_to"] == first and near["similarity"] >= 0.5 and near["article"] in summary["imported"]
    article = Article.objects.get(pk=near["article"])
    assert article.status == Article.Status.DRAFT  # never published over an editor's head
    flag = NearDuplicate.objects.get(article=article)
    assert flag.similar_to_id == first and str(flag) == f"疑似重复 #{first}"


def test_unrelated_text_is_not_a_near_duplicate(tmp_path, catalogue):
    (tmp_path / "one.txt").write_text(SUMMARY_TEXT, encoding="utf-8")
    (tmp_path / "two.txt").write_text(f"{SPEECH_TITLE}\n{SPEECH_BODY}", encoding="utf-8")
    summary = run(str(tmp_path))
    assert len(summary["imported"]) == 2 and summary["near_duplicates"] == []


def test_exact_duplicate_of_an_existing_article(tmp_path, make_article):
    existing = make_article(title="已有的总结", body=SUMMARY_TEXT.split("\n", 1)[1])
    (tmp_path / "copy.txt").write_text(SUMMARY_TEXT.replace("\n", "\r\n"), encoding="utf-16")
    summary = run(str(tmp_path / "copy.txt"))
    assert summary["imported"] == [] and summary["duplicates"] == [{"path": str(tmp_path / "copy.txt"), "article": existing.pk}]


def test_index_follows_edits_and_deletes(make_article):
    article = make_article(body=SUMMARY_TEXT)
    index.merge_recent(at_least=0)  # one edit below finds its rows in the main tier, the other in the recent
    before = index.fingerprint_rows(article.pk)
    article.body = SUMMARY_TEXT + "五、附记\n本总结经居委会讨论通过。"
    article.save()
    after = index.fingerprint_rows(article.pk)
    assert before != after and after == sorted(sig.fingerprints(article.body)[0])
    assert LshBucket.objects.filter(article=article).count() == 32
    article.body = SUMMARY_TEXT
    article.save()
    assert index.fingerprint_rows(article.pk) == before
    article.delete()
    assert not Fingerprint.objects.exists() and not RecentFingerprint.objects.exists()
    assert not TextSignature.objects.exists()


def test_human_output_has_a_summary(folder):
    out = io.StringIO()
    call_command("import", str(folder), stdout=out)
    assert "导入 2 篇，重复 0，疑似重复 0，跳过 1，错误 0。" in out.getvalue()


def test_moderation_and_lint_hits_are_in_the_report_and_hold_publication(tmp_path, catalogue):
    from miaobi.moderation.models import Term
    from miaobi.moderation.services import lexicon_changed

    Term.objects.create(text="内部绝密", action="review")
    lexicon_changed()
    (tmp_path / "a.txt").write_text("关于档案管理的情况汇报\n本单位保存的内部绝密档案已全部造册,统一存放。\n", encoding="utf-8")
    summary, results = services.import_paths([str(tmp_path)], services.ImportOptions(publish=True))
    result = results[0]
    assert result["status"] == "imported" and result["needs_review"]
    assert [h["excerpt"] for h in result["moderation"]] == ["内部绝密"]
    assert Article.objects.get(pk=result["article"]).status == Article.Status.DRAFT
    assert any(f["kind"] == "ascii_punct" for f in result["lint"])  # the integrity lint: "造册,统一"


def test_dry_run_reports_duplicates_inside_the_batch(tmp_path, catalogue):
    (tmp_path / "one.txt").write_text(SUMMARY_TEXT, encoding="utf-8")
    (tmp_path / "two.txt").write_text(SUMMARY_TEXT, encoding="gb18030")
    summary = run(str(tmp_path), "--dry-run")
    assert summary["imported"] == [str(tmp_path / "one.txt")]
    assert summary["duplicates"] == [{"path": str(tmp_path / "two.txt"), "article": None, "same_as": str(tmp_path / "one.txt")}]
    assert Article.objects.count() == 0


def test_reindex_command_rebuilds_the_same_index(make_article):
    article = make_article(body=SUMMARY_TEXT)
    before = index.fingerprint_rows(article.pk)
    out = io.StringIO()
    call_command("reindex_texts", stdout=out)
    assert "indexed" in out.getvalue()
    assert index.fingerprint_rows(article.pk) == before
    assert LshBucket.objects.filter(article=article).count() == 32
