"""Import batches: staged uploads imported by a job that can be cut short, resumed, or run twice."""
import errno
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from miaobi.importer import batches
from miaobi.importer.batches import StagingError, run_batch, stage_uploads
from miaobi.importer.models import ImportBatch, ImportFile
from miaobi.importer.services import ImportOptions
from miaobi.importer.tasks import import_batch
from miaobi.jobs.testing import queued_jobs
from miaobi.library.models import Article

from .reports import report

pytestmark = pytest.mark.django_db


def archive(count: int, start: int = 0) -> bytes:
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as zf:
        for i in range(start, start + count):
            title, body = report(i)
            zf.writestr(f"汇报/{i:03d}.txt", f"{title}\n{body}")
    return data.getvalue()


def upload_zip(count: int, start: int = 0) -> SimpleUploadedFile:
    return SimpleUploadedFile("汇报.zip", archive(count, start))


def test_a_zip_from_the_desk_is_a_batch_with_per_file_results(staff_client, catalogue):
    response = staff_client.post("/desk/import/", {"files": [upload_zip(5)], "genre": "huibao"},
                                 HTTP_ACCEPT="application/json")
    status = response.json()
    assert response.status_code == 200 and status["finished"] and status["state"] == "done"  # inline: already run
    assert status["done"] == status["total"] == 5
    assert [r["path"] for r in status["results"]] == [f"汇报.zip!汇报/{i:03d}.txt" for i in range(5)]
    assert {r["label"] for r in status["results"]} <= {"已导入", "疑似重复"}
    batch = ImportBatch.objects.get(pk=status["batch"])
    assert not batch.staging_dir().exists()  # the staged files go once the batch is done
    assert Article.objects.count() == 5
    assert [a.title for a in Article.objects.order_by("pk")][0] == report(0)[0]
    later = staff_client.get(f"{status['status_url']}?since=3").json()
    assert [r["path"] for r in later["results"]] == [f"汇报.zip!汇报/{i:03d}.txt" for i in (3, 4)]
    page = staff_client.get(status["page_url"]).content.decode()
    assert "已完成" in page and report(4)[0] in page and "data-finished" in page
    assert f"批次 #{batch.pk}" in staff_client.get("/desk/import/").content.decode()
    assert staff_client.get(f"{status['status_url']}?since=x").status_code == 400


def test_with_a_worker_the_page_answers_at_once_and_polls(staff_client, catalogue):
    with queued_jobs() as jobs:
        response = staff_client.post("/desk/import/", {"files": [upload_zip(3)]}, HTTP_ACCEPT="application/json")
        status = response.json()
        assert response.status_code == 202 and status["state"] == "queued" and status["results"] == []
        assert status["total"] == 3 and jobs.names() == ["import_batch"]
        html = staff_client.post("/desk/import/", {"files": [upload_zip(1, start=10)]})
        assert html.status_code == 302 and "/desk/import/batches/" in html["Location"]
        page = staff_client.get(html["Location"]).content.decode()
        assert "排队中" in page and "data-status-url" in page and "data-finished" not in page
        assert Article.objects.count() == 0
        jobs.run()
    status = staff_client.get(status["status_url"]).json()
    assert status["finished"] and status["done"] == 3 and Article.objects.count() == 4


def test_a_batch_cut_short_resumes_without_importing_a_file_twice(catalogue, monkeypatch):
    batch = stage_uploads([upload_zip(8)], ImportOptions(genre="huibao"))
    real = batches.import_item
    calls = []

    def dies_at_the_sixth_file(*args, **kwargs):
        calls.append(1)
        if len(calls) == 6:
            raise KeyboardInterrupt("worker killed")  # not an Exception: nothing on the way catches it
        return real(*args, **kwargs)

    monkeypatch.setattr(batches, "import_item", dies_at_the_sixth_file)
    with pytest.raises(KeyboardInterrupt):
        run_batch(batch.pk)
    batch.refresh_from_db()
    assert batch.state == "running" and batch.results.count() == 5 and Article.objects.count() == 5
    assert batch.staging_dir().exists()
    monkeypatch.setattr(batches, "import_item", real)
    assert run_batch(batch.pk) == "done"
    assert sorted(batch.results.values_list("seq", flat=True)) == list(range(8))
    assert Article.objects.count() == 8 and ImportFile.objects.filter(status__in=["imported", "near_duplicate"]).count() == 8
    assert sorted(Article.objects.values_list("body", flat=True)) == sorted(report(i)[1] for i in range(8))


def test_a_file_that_kills_every_run_is_skipped_after_three_tries(catalogue, monkeypatch):
    batch = stage_uploads([upload_zip(4)], ImportOptions())
    real = batches.import_item

    def poisonous(item, *args, **kwargs):
        if item.path.endswith("002.txt"):
            raise KeyboardInterrupt("worker killed")
        return real(item, *args, **kwargs)

    monkeypatch.setattr(batches, "import_item", poisonous)
    for _ in range(batches.MAX_TRIES):
        with pytest.raises(KeyboardInterrupt):
            run_batch(batch.pk)
    assert run_batch(batch.pk) == "done"
    notes = {seq: (status, result.get("reason", "")) for seq, status, result in batch.results.values_list("seq", "status", "result")}
    assert sorted(notes) == [0, 1, 2, 3] and notes[2] == ("error", "导入此文件时处理进程多次中断，已跳过（文件可能损坏或过大）")
    assert Article.objects.count() == 3


def test_running_a_batch_twice_changes_nothing_the_second_time(catalogue):
    batch = stage_uploads([upload_zip(4)], ImportOptions())
    import_batch(batch.pk)  # inline: runs now
    before = (list(Article.objects.values_list("pk", "updated_at")), list(ImportFile.objects.values_list("pk", "result")))
    assert run_batch(batch.pk) is None
    import_batch(batch.pk)
    assert (list(Article.objects.values_list("pk", "updated_at")), list(ImportFile.objects.values_list("pk", "result"))) == before


def test_an_older_run_stops_when_a_newer_one_takes_the_batch_over(catalogue, monkeypatch):
    batch = stage_uploads([upload_zip(4)], ImportOptions())
    real, calls = batches.import_item, []

    def newer_run_starts_after_the_first_file(*args, **kwargs):
        calls.append(1)
        result = real(*args, **kwargs)
        if len(calls) == 1:
            assert run_batch(batch.pk) == "done"  # the newer run does the rest
        return result

    monkeypatch.setattr(batches, "import_item", newer_run_starts_after_the_first_file)
    assert run_batch(batch.pk) is None
    assert batch.results.count() == 4 and Article.objects.count() == 4 and len(calls) == 4


def test_a_full_disk_is_a_clear_error_and_leaves_nothing(staff_client, catalogue, monkeypatch, settings, tmp_path):
    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("builtins.open", disk_full)
    with pytest.raises(StagingError, match="磁盘空间不足"):
        stage_uploads([upload_zip(2)], ImportOptions())
    response = staff_client.post("/desk/import/", {"files": [upload_zip(2)]}, HTTP_ACCEPT="application/json")
    monkeypatch.undo()
    assert response.status_code == 507 and "磁盘空间不足" in response.json()["error"]
    assert ImportBatch.objects.count() == 0 and not any((tmp_path / "media" / "imports").iterdir())


def test_a_stalled_batch_can_be_resumed_from_its_page(staff_client, catalogue):
    batch = stage_uploads([upload_zip(2)], ImportOptions())
    ImportBatch.objects.filter(pk=batch.pk).update(state="running", updated_at=batch.created_at.replace(year=2020))
    page = staff_client.get(f"/desk/import/batches/{batch.pk}/").content.decode()
    assert "继续导入" in page
    staff_client.post(f"/desk/import/batches/{batch.pk}/resume/")
    batch.refresh_from_db()
    assert batch.state == "done" and Article.objects.count() == 2
    assert "已经结束" in staff_client.post(f"/desk/import/batches/{batch.pk}/resume/", follow=True).content.decode()


def test_a_genre_deleted_before_the_job_runs_fails_the_batch_clearly(catalogue):
    from miaobi.library.models import Genre

    with queued_jobs() as jobs:
        batch = stage_uploads([upload_zip(1)], ImportOptions(genre="huibao"))
        batches.start_batch(batch)
        Genre.objects.filter(slug="huibao").delete()
        jobs.run()
    batch.refresh_from_db()
    assert batch.state == "failed" and "没有这个文种" in batch.error and Article.objects.count() == 0


def test_import_command_queue_option(catalogue, tmp_path, capsys):
    folder = tmp_path / "texts"
    folder.mkdir()
    for i in range(3):
        title, body = report(20 + i)
        (folder / f"{i}.txt").write_text(f"{title}\n{body}", encoding="gb18030")
    call_command("import", str(folder), str(tmp_path / "missing.txt"), "--queue")
    out = capsys.readouterr().out
    batch = ImportBatch.objects.get()
    assert f"import batch #{batch.pk}: 4 files, 已完成" in out
    paths = list(batch.results.values_list("path", "status"))
    assert paths[0] == (str(tmp_path / "missing.txt"), "error") or (str(tmp_path / "missing.txt"), "error") in paths
    assert (f"{folder}/0.txt", "imported") in paths and Article.objects.count() == 3
    with pytest.raises(Exception, match="没有这个文种"):
        call_command("import", str(folder), "--queue", "--genre", "nonesuch")
