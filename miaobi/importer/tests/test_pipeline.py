"""Imports with worker processes: the same results as one process, in order, and nothing lost when a
worker dies."""
import os

import pytest
from django.db import transaction

from miaobi.importer import index, pipeline, services
from miaobi.importer.models import NearDuplicate
from miaobi.importer.services import ImportOptions, import_paths
from miaobi.library.models import Article
from miaobi.moderation.models import Flag, Term
from miaobi.moderation.services import lexicon_changed

from .texts import LIB_RIVER, LIB_SCHOOL, LIB_VILLAGE, ORIGINAL

pytestmark = pytest.mark.django_db

TOPICS = ["防汛抗旱", "安全生产", "乡村振兴", "营商环境", "社区治理", "文明创建", "民生实事", "生态保护"]


def write_folder(folder):
    """Sixteen files: new texts in three encodings, a copy and a near copy inside the batch, an empty
    file, a legacy .doc and a text the lexicon flags."""
    files = []
    for i, topic in enumerate(TOPICS):
        body = f"{ORIGINAL[i % len(ORIGINAL)]}\n关于{topic}，第{i + 1}项任务要在年底前完成，责任到人、逐项销号。"
        files.append((f"{i:02d}.txt", f"关于{topic}工作的讲话\n{body}", ["utf-8", "gb18030", "utf-16"][i % 3]))
    files.append(("08.txt", f"河长制工作汇报\n{LIB_RIVER}", "utf-8"))
    files.append(("09.txt", f"河长制工作汇报\n{LIB_RIVER}", "gbk"))  # the same text again
    files.append(("10.txt", f"河长制工作汇报（修订）\n{LIB_RIVER.replace('。', '！', 2)}", "utf-8"))
    files.append(("11.txt", "", "utf-8"))
    files.append(("12.doc", "旧格式", "utf-8"))
    files.append(("13.txt", f"校园安全讲话\n{LIB_SCHOOL}\n这里写着一个违禁样词。", "utf-8"))
    files.append(("14.txt", f"村庄清洁行动方案\n{LIB_VILLAGE}", "gb18030"))
    files.append(("15.txt", f"村庄清洁行动方案（二）\n{LIB_VILLAGE}\n{LIB_SCHOOL}", "utf-8"))
    for name, text, encoding in files:
        (folder / name).write_bytes(text.encode(encoding))


def outcome(results):
    """What a reader of the report and of the library sees, without ids that differ between runs."""
    rows = []
    for r in results:
        article = Article.objects.filter(pk=r.get("article")).first() if r.get("article") else None
        rows.append((r["path"].rsplit("/", 1)[-1], r["status"], r.get("reason"), r.get("title"), r.get("genre"),
                     tuple(r.get("tags") or ()), r.get("similarity"), bool(r.get("moderation")),
                     article and (article.title, article.body, article.status, sorted(article.tags.values_list("name", flat=True)),
                                  len(index.fingerprint_rows(article.pk)),
                                  Flag.objects.filter(object_id=article.pk).count(),
                                  NearDuplicate.objects.filter(article=article).exists())))
    return rows


@pytest.fixture
def forking(monkeypatch):
    """Let the pool start in the test process (which may run threads of other tests' servers)."""
    started = []
    real = pipeline.Pipeline._start_pool

    def start(self):
        started.append(self.workers)
        real(self)

    monkeypatch.setattr(pipeline.Pipeline, "_can_fork", lambda self: self.workers > 0)
    monkeypatch.setattr(pipeline.Pipeline, "_start_pool", start)
    return started


@pytest.fixture
def flagged_term(catalogue):
    Term.objects.create(text="违禁样词", action="review")
    lexicon_changed()


def run_rolled_back(folder, workers):
    with transaction.atomic():
        _, results = import_paths([str(folder)], ImportOptions(), workers=workers)
        seen = outcome(results)
        transaction.set_rollback(True)
    return seen


def test_workers_give_the_results_of_one_process(tmp_path, catalogue, flagged_term, forking):
    write_folder(tmp_path)
    alone = run_rolled_back(tmp_path, workers=0)
    assert forking == []
    together = run_rolled_back(tmp_path, workers=2)
    assert forking == [2]
    assert together == alone
    statuses = {name: status for name, status, *_ in together}
    assert statuses["09.txt"] == "duplicate" and statuses["10.txt"] == "near_duplicate"
    assert statuses["11.txt"] == statuses["12.doc"] == "error"
    flagged = next(row for row in together if row[0] == "13.txt")
    assert flagged[7] and flagged[8][5] == 1  # in the report, and a flag for the editor
    assert all(row[8][4] > 0 for row in together if row[8])  # fingerprints written for every article


def test_a_worker_that_dies_loses_no_file(tmp_path, catalogue, forking, monkeypatch):
    write_folder(tmp_path)
    parent, real = os.getpid(), services.prepare_item

    def dies_in_a_worker(path, name, *args):
        if name == "10.txt" and os.getpid() != parent:
            os._exit(1)  # killed mid-file (the pool forks after this is in place)
        return real(path, name, *args)

    monkeypatch.setattr(services, "prepare_item", dies_in_a_worker)
    summary, results = import_paths([str(tmp_path)], ImportOptions(), workers=2)
    assert forking == [2]
    assert [r["path"].rsplit("/", 1)[-1] for r in results] == sorted(p.name for p in tmp_path.iterdir())
    assert len(summary["imported"]) == Article.objects.count() == 13
    assert [r["status"] for r in results if r["path"].endswith("10.txt")] == ["near_duplicate"]


def test_small_batches_and_threaded_processes_stay_in_one_process(tmp_path, catalogue, monkeypatch):
    write_folder(tmp_path)
    monkeypatch.setattr(pipeline.threading, "active_count", lambda: 3)  # e.g. a web server's threads
    with pipeline.Pipeline(ImportOptions(), [], None, workers=2) as line:
        assert not line._can_fork()
    monkeypatch.setattr(pipeline.threading, "active_count", lambda: 1)
    with pipeline.Pipeline(ImportOptions(), [], None, workers=2) as line:
        assert line._can_fork()
    (tmp_path / "only.txt").write_text("一个小文件\n正文", encoding="utf-8")
    started = []
    monkeypatch.setattr(pipeline.Pipeline, "_start_pool", lambda self: started.append(1))
    import_paths([str(tmp_path / "only.txt")], ImportOptions(), workers=2)
    assert started == []


def test_worker_count_setting(settings, monkeypatch):
    settings.MIAOBI_IMPORT_WORKERS = 0
    assert pipeline.import_workers() == 0
    settings.MIAOBI_IMPORT_WORKERS = None
    monkeypatch.setattr(pipeline.os, "cpu_count", lambda: 1)
    assert pipeline.import_workers() == 0
    monkeypatch.setattr(pipeline.os, "cpu_count", lambda: 16)
    assert pipeline.import_workers() == pipeline.MAX_WORKERS
