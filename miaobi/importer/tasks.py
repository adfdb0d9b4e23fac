"""Importer jobs: import batches, and the rebuild of the duplicate and originality (查重) indexes."""
from datetime import timedelta

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_task(retries=2, retry_delay=30)
def import_batch(batch_id: int) -> None:
    from .batches import run_batch

    run_batch(batch_id)


@db_periodic_task(crontab(minute="*/10"))
def resume_stalled_imports() -> None:
    """A batch whose job was lost (its worker killed, the queue emptied) goes on within ten minutes."""
    from .batches import resume_unfinished_batches

    resume_unfinished_batches(stale_after=timedelta(minutes=10))


@db_task(retries=1, retry_delay=60)
def rebuild_text_indexes() -> None:
    from .index import rebuild_all

    rebuild_all()


@db_periodic_task(crontab(minute="23"))
def merge_recent_fingerprints() -> None:
    """Edits made on the site add rows to the recent tier of the originality index: merged hourly once
    they are many (imports merge when they flush)."""
    from .index import merge_recent

    merge_recent()
