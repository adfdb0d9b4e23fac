"""Account emails as jobs: they take the user's id and a request id, and build the email when they run."""
from huey.contrib.djhuey import db_task

from miaobi.jobs.outbox import EMAIL_JOB


@db_task(**EMAIL_JOB)
def verification_email(user_id: int, base_url: str, request_id: str) -> None:
    from .services import deliver_verification_email

    deliver_verification_email(user_id, base_url, request_id)


@db_task(**EMAIL_JOB)
def password_reset_email(user_id: int, domain: str, protocol: str, request_id: str) -> None:
    from .services import deliver_password_reset_email

    deliver_password_reset_email(user_id, domain, protocol, request_id)
