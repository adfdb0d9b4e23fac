"""An editor drops a .zip on the desk while a worker runs the import: the page follows the batch."""
import os

import pytest

from miaobi.accounts.models import User
from miaobi.importer.models import ImportBatch
from miaobi.jobs.testing import queued_jobs
from miaobi.library.demo.loader import ensure_catalogue
from miaobi.library.models import Article
from miaobi.library.tests.test_browser_reader import browser  # noqa: F401 - shared fixture

from .test_batches import archive

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_desk_follows_a_queued_batch_to_the_end(browser, live_server, tmp_path):  # noqa: F811
    ensure_catalogue()
    User.objects.create_user(username="editor", password="Desk-2026!", is_staff=True)
    zipped = tmp_path / "汇报.zip"
    zipped.write_bytes(archive(5))
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(live_server.url + "/admin/login/?next=/desk/import/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "Desk-2026!")
    page.click("input[type=submit]")
    page.wait_for_url("**/desk/import/")
    with queued_jobs() as jobs:
        page.set_input_files("#import-form input[type=file]", str(zipped))
        page.get_by_role("button", name="导入").click()
        row = page.locator("#import-results tbody tr").first
        row.get_by_text("排队中 0/5").wait_for()  # answered at once: the worker has not run yet
        jobs.run()
        row.get_by_text("完成 5 个文件").wait_for(timeout=10000)
    assert Article.objects.count() == 5 and "汇报.zip!汇报/004.txt" in row.inner_text()

    batch = ImportBatch.objects.get()
    ImportBatch.objects.filter(pk=batch.pk).update(state="running")
    batch.results.filter(seq__gte=2).delete()  # as if the page were opened mid-batch
    page.goto(f"{live_server.url}/desk/import/batches/{batch.pk}/")
    assert page.locator("#batch-results tbody tr").count() == 2
    ImportBatch.objects.filter(pk=batch.pk).update(state="done")
    shown = "汇报.zip!汇报/002.txt"
    batch.results.create(seq=2, path=shown, status="imported", result={"path": shown, "status": "imported"})
    page.get_by_text("已完成：已处理 3 / 5 个文件").wait_for(timeout=10000)
    assert page.locator("#batch-results tbody tr").count() == 3
