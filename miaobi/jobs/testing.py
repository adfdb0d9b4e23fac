"""For tests: jobs queued (as with MIAOBI_JOBS=queue) in a memory queue that the test runs by hand."""
from __future__ import annotations

import contextlib
import datetime

from huey.storage import MemoryStorage


class QueuedJobs:
    def __init__(self, huey):
        self.huey = huey

    def names(self) -> list[str]:
        """Names of the jobs waiting (not those scheduled for a retry)."""
        return [task.name for task in self.huey.pending()]

    def _execute(self, task, timestamp) -> None:
        # As the worker would, but on the test's own connection: djhuey's db_task closes the database
        # connection around a job unless huey is "immediate", and that would close the test's transaction.
        self.huey._immediate = True
        try:
            self.huey.execute(task, timestamp=timestamp)
        finally:
            self.huey._immediate = False

    def run(self, limit: int = 1000) -> int:
        """Run every queued job, and every retry as if its delay had passed; returns how many ran."""
        later = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) + datetime.timedelta(days=1)
        ran = 0
        while ran < limit:
            task = self.huey.dequeue()
            if task is None:
                due = self.huey.read_schedule(later)
                if not due:
                    return ran
                for retry in due:
                    self._execute(retry, later)
                    ran += 1
                continue
            self._execute(task, later)
            ran += 1
        raise AssertionError(f"more than {limit} jobs: a job keeps queueing itself?")


@contextlib.contextmanager
def queued_jobs():
    """Within the block, jobs are queued instead of run inline; `.run()` works the queue off."""
    from huey.contrib.djhuey import HUEY

    saved = HUEY._immediate, HUEY.storage
    HUEY._immediate, HUEY.storage = False, MemoryStorage(HUEY.name)
    try:
        yield QueuedJobs(HUEY)
    finally:
        HUEY._immediate, HUEY.storage = saved
