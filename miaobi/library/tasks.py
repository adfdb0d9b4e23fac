"""Library jobs: the rebuild of related reading (相关阅读), also `miaobi rebuild_related`."""
from huey.contrib.djhuey import db_task


@db_task(retries=1, retry_delay=60)
def rebuild_related() -> None:
    from .services import rebuild_related_reading

    rebuild_related_reading()
