"""A real `miaobi worker` killed with SIGKILL in the middle of an import, then started again.

Everything runs in subprocesses on a data directory of its own (SQLite database and SQLite job queue),
as on a small server; the test reads the database file directly.
"""
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from miaobi.importer.tests.reports import report

BIN = Path(sys.executable).parent / "miaobi"
FILES = 60


def _env(data_dir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "MIAOBI_JOBS")}
    env.update(MIAOBI_DATA_DIR=str(data_dir), MIAOBI_JOBS="queue", DJANGO_SETTINGS_MODULE="miaobi.settings")
    return env


def _miaobi(env: dict, *args: str) -> str:
    done = subprocess.run([str(BIN), *args], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _rows(db: Path, sql: str, *params) -> list[tuple]:
    with sqlite3.connect(db, timeout=10) as conn:
        return conn.execute(sql, params).fetchall()


def _wait_for(predicate, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def _check_whole_articles(db: Path) -> list[tuple]:
    """No half-written article: each one has its batch note, its duplicate index row, and (published)
    its search document or (held back) its near-duplicate mark; and every note points to an article."""
    articles = _rows(db, "SELECT id, body, status FROM library_article")
    noted = dict(_rows(db, "SELECT article_id, COUNT(*) FROM importer_importfile WHERE article_id IS NOT NULL "
                           "GROUP BY article_id"))
    signed = {r[0] for r in _rows(db, "SELECT article_id FROM importer_textsignature")}
    indexed = {r[0] for r in _rows(db, "SELECT article_id FROM search_document")}
    marked = {r[0] for r in _rows(db, "SELECT article_id FROM importer_nearduplicate")}
    bodies = {report(i)[1] for i in range(FILES)}
    for pk, body, status in articles:
        assert body in bodies and noted.get(pk) == 1 and pk in signed, pk
        assert (pk in indexed) if status == "published" else (pk in marked), (pk, status)
    assert set(noted) == {pk for pk, _, _ in articles}
    return articles


def test_a_worker_killed_mid_import_leaves_whole_articles_and_the_batch_resumes(tmp_path):
    env = _env(tmp_path / "data")
    db = tmp_path / "data" / "miaobi.sqlite3"
    texts = tmp_path / "texts"
    texts.mkdir()
    for i in range(FILES):
        title, body = report(i)
        (texts / f"{i:03d}.txt").write_text(f"{title}\n{body}", encoding="utf-8")
    # One process (each start costs seconds): a new database, the genres, then `miaobi import --queue`.
    out = _miaobi(env, "shell", "-c", "from django.core.management import call_command as c; "
                  "from miaobi.library.demo.loader import ensure_catalogue as e; c('migrate', verbosity=0); e(); "
                  f"c('import', {str(texts)!r}, '--queue', '--publish', '--genre', 'huibao')")
    assert f"{FILES} files, 排队中" in out  # queued: nothing imported by the command itself
    batch = _rows(db, "SELECT id FROM importer_importbatch")[0][0]
    progress = lambda: _rows(db, "SELECT COUNT(*) FROM importer_importfile WHERE batch_id = ?", batch)[0][0]  # noqa: E731

    log = open(tmp_path / "worker.log", "w")
    worker = subprocess.Popen([str(BIN), "worker", "--workers", "1"], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_for(lambda: progress() >= 8, 90, "the first files")
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()
    done = progress()
    assert 8 <= done < FILES, "the worker finished before it could be killed; give it more files"
    assert _rows(db, "SELECT state FROM importer_importbatch")[0][0] == "running"
    assert len(_check_whole_articles(db)) == done

    worker = subprocess.Popen([str(BIN), "worker", "--workers", "1"], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_for(lambda: _rows(db, "SELECT state FROM importer_importbatch")[0][0] == "done", 120, "the batch")
        worker.send_signal(signal.SIGTERM)  # graceful: the worker finishes and exits cleanly
        assert worker.wait(40) == 0
    finally:
        if worker.poll() is None:
            worker.kill()
    log.close()
    assert "resuming 1 unfinished import batches" in (tmp_path / "worker.log").read_text()
    articles = _check_whole_articles(db)
    assert sorted(body for _, body, _ in articles) == sorted(report(i)[1] for i in range(FILES))  # each once
    notes = _rows(db, "SELECT seq, status FROM importer_importfile WHERE batch_id = ? ORDER BY seq", batch)
    assert [seq for seq, _ in notes] == list(range(FILES))
    assert {status for _, status in notes} <= {"imported", "near_duplicate"}
    assert not (tmp_path / "data" / "uploads" / "imports" / str(batch)).exists()


@pytest.mark.parametrize("argv", [["worker"]])
def test_worker_refuses_to_start_when_jobs_run_inline(argv):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="MIAOBI_JOBS is 'inline'"):
        call_command(*argv)
