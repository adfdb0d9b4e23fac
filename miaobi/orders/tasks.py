"""Order jobs: the emails of state changes and messages, and the desk's periodic chores.

Periodic jobs run in `miaobi worker`; a site without a worker (MIAOBI_JOBS=inline) runs
`miaobi orders autocomplete` and `miaobi orders purge` from cron instead. Crontabs are in UTC.
"""
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from miaobi.jobs.outbox import EMAIL_JOB


@db_task(**EMAIL_JOB)
def send_state_change_emails(event_id: int) -> None:
    from .notifications import send_state_change_emails as send

    send(event_id)


@db_task(**EMAIL_JOB)
def send_message_emails(message_id: int) -> None:
    from .notifications import send_message_emails as send

    send(message_id)


@db_periodic_task(crontab(minute="7"))
def autocomplete_orders() -> None:
    """Hourly, like the `orders autocomplete` cron line it replaces."""
    from .workflow import autocomplete_delivered

    autocomplete_delivered()


@db_periodic_task(crontab(hour="19", minute="17"))
def purge_order_files() -> None:
    """Daily at 03:17 Beijing time: files of orders closed longer than the retention period."""
    from .services import purge_closed_attachments

    purge_closed_attachments()
