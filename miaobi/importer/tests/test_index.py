"""The duplicate and originality indexes: compact rows, written in passes during a batch import, and
whatever an interrupted run left queued is written by the next run."""
import pytest

from miaobi.importer import index
from miaobi.importer import signatures as sig
from miaobi.importer.models import Fingerprint, FingerprintBacklog, LshBucket
from miaobi.importer.originality import originality_report
from miaobi.importer.services import ImportOptions, import_paths
from miaobi.library.models import Article

from .texts import LIB_RIVER, LIB_SCHOOL, LIB_VILLAGE

pytestmark = pytest.mark.django_db


def stored(article):
    return index.fingerprint_rows(article.pk)


def expected(body):
    return sorted(sig.fingerprints(body)[0])


def test_rows_are_32_bit_and_match_the_text(make_article):
    article = make_article(body=LIB_RIVER)
    rows = stored(article)
    assert rows == expected(LIB_RIVER) and all(-2**31 <= h < 2**31 for h, _ in rows)
    assert LshBucket.objects.filter(article=article).count() == 32


def test_a_batch_import_leaves_the_originality_index_current(tmp_path, catalogue, monkeypatch):
    monkeypatch.setattr(index, "FLUSH_EVERY", 2)  # passes inside the batch, and a last one at its end
    for i, body in enumerate([LIB_RIVER, LIB_SCHOOL, LIB_VILLAGE]):
        (tmp_path / f"{i}.txt").write_text(f"标题{i}\n{body}", encoding="utf-8")
    summary, _ = import_paths([str(tmp_path)], ImportOptions())
    assert len(summary["imported"]) == 3 and not FingerprintBacklog.objects.exists()
    for article in Article.objects.all():
        assert stored(article) == expected(article.body)
    report = originality_report(LIB_SCHOOL[:600])
    assert report["sources"][0]["id"] == Article.objects.get(body=LIB_SCHOOL).pk


def test_what_an_interrupted_run_queued_is_written_by_the_next(tmp_path, make_article):
    token = index._deferred.set({})  # a run that dies before its pass: the queue in memory is lost
    article = make_article(body=LIB_RIVER)
    index._deferred.reset(token)
    assert FingerprintBacklog.objects.filter(article=article).exists() and stored(article) == []
    (tmp_path / "new.txt").write_text(f"新的方案\n{LIB_VILLAGE}", encoding="utf-8")
    import_paths([str(tmp_path)], ImportOptions())
    assert stored(article) == expected(LIB_RIVER) and not FingerprintBacklog.objects.exists()


def test_an_article_edited_while_queued_gets_the_rows_of_its_new_text(make_article):
    with index.deferred_fingerprints():
        article = make_article(body=LIB_RIVER)
        article.body = LIB_SCHOOL
        article.save()
        assert stored(article) == []
    assert stored(article) == expected(LIB_SCHOOL)


def test_a_staged_bulk_build_writes_the_same_rows(make_article):
    articles = [make_article(body=body, reindex=False) for body in (LIB_RIVER, LIB_SCHOOL, LIB_VILLAGE)]
    direct = {a.pk: stored(a) for a in articles}
    index.rebuild_all()  # rows from a generator: staged, one sorted insert at the end
    assert {a.pk: stored(a) for a in articles} == direct
    assert not FingerprintBacklog.objects.exists()
    assert index.bulk_index([], staged=True) == 0


def test_a_staged_build_cut_short_is_completed_by_the_backlog(make_article, monkeypatch):
    articles = [make_article(body=body) for body in (LIB_RIVER, LIB_SCHOOL, LIB_VILLAGE)]
    expected_rows = {a.pk: stored(a) for a in articles}
    index.delete_fingerprints([a.pk for a in articles])
    from miaobi.importer.models import TextSignature

    TextSignature.objects.all().delete()
    LshBucket.objects.all().delete()  # as before a first build

    def killed(self):
        raise KeyboardInterrupt  # the operator's Ctrl-C before the sorted insert

    monkeypatch.setattr(index._Stage, "finish", killed)
    with pytest.raises(KeyboardInterrupt):
        index.bulk_index([(a.pk, a.body) for a in articles], batch=2, staged=True)
    assert not any(stored(a) for a in articles) and FingerprintBacklog.objects.count() == 3
    assert index.flush_backlog() == 3
    assert {a.pk: stored(a) for a in articles} == expected_rows


def test_new_rows_go_to_the_recent_tier_and_merge_in_order(make_article, monkeypatch):
    from miaobi.importer.models import RecentFingerprint

    first = make_article(body=LIB_RIVER)
    assert RecentFingerprint.objects.filter(article=first).exists()
    assert not Fingerprint.objects.filter(article=first).exists()
    rows = stored(first)
    assert index.merge_recent() == 0  # below MERGE_AT: nothing moves
    monkeypatch.setattr(index, "MERGE_AT", 10)
    moved = index.merge_recent()
    assert moved == len(rows) and not RecentFingerprint.objects.exists() and stored(first) == rows
    second = make_article(body=LIB_SCHOOL)  # one article in each tier: a check finds both
    assert RecentFingerprint.objects.filter(article=second).exists()
    report = originality_report(LIB_RIVER[:400] + "\n" + LIB_SCHOOL[:400])
    assert {s["id"] for s in report["sources"]} == {first.pk, second.pk}
