"""Account writes: registration, email verification (and password-reset emails), deletion."""
from __future__ import annotations

import logging
import uuid

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from miaobi.jobs.outbox import send_once

from .models import User

log = logging.getLogger(__name__)
VERIFY_SALT = "miaobi.accounts.verify-email"
VERIFY_MAX_AGE = 3 * 24 * 3600
RESET_EMAIL_TEMPLATE = "accounts/password_reset_email.txt"
RESET_SUBJECT_TEMPLATE = "accounts/password_reset_subject.txt"


@transaction.atomic
def register_user(*, kind: str, identifier: str, password: str) -> User:
    """Create a reader account from a normalised mobile number or email address."""
    user = User(username=identifier, mobile=identifier if kind == "mobile" else None,
                email=identifier if kind == "email" else "")
    user.set_password(password)
    user.save()
    return user


def email_verification_token(user: User) -> str:
    return signing.dumps({"u": user.pk, "e": user.email}, salt=VERIFY_SALT)


def send_verification_email(user: User, base_url: str) -> None:
    """Queue the verification email (a job: sent at once with MIAOBI_JOBS=inline)."""
    if not user.email:
        return
    from .tasks import verification_email

    verification_email(user.pk, base_url, uuid.uuid4().hex)


def deliver_verification_email(user_id: int, base_url: str, request_id: str) -> None:
    """Build and send one requested verification email, at most once per request (the job's body)."""
    user = User.objects.filter(pk=user_id).first()
    if user is None or not user.email or user.email_verified:
        return
    link = f"{base_url}/accounts/verify/{email_verification_token(user)}/"
    send_once(f"verify-email:{user.pk}:{request_id}", EmailMessage(
        "请验证您的邮箱",
        f"您好！\n\n请打开下面的链接验证邮箱（3 天内有效）：\n{link}\n\n如果不是您本人注册，请忽略本邮件。\n",
        settings.DEFAULT_FROM_EMAIL, [user.email],
    ))
    log.info("verification email sent to user %s", user.pk)


def deliver_password_reset_email(user_id: int, domain: str, protocol: str, request_id: str) -> None:
    """Build and send one requested password-reset email, with a token made now (Django's reset form
    asks for it through forms.QueuedPasswordResetForm); at most once per request."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return
    context = {"email": user.email, "domain": domain, "site_name": domain, "protocol": protocol, "user": user,
               "uid": urlsafe_base64_encode(force_bytes(user.pk)), "token": default_token_generator.make_token(user)}
    subject = "".join(render_to_string(RESET_SUBJECT_TEMPLATE, context).splitlines())
    body = render_to_string(RESET_EMAIL_TEMPLATE, context)
    send_once(f"password-reset:{user.pk}:{request_id}",
              EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email]))


def verify_email(token: str) -> User | None:
    """The user whose email the token verifies (and mark it verified), or None if invalid or expired."""
    try:
        data = signing.loads(token, salt=VERIFY_SALT, max_age=VERIFY_MAX_AGE)
    except signing.BadSignature:
        return None
    user = User.objects.filter(pk=data.get("u"), email=data.get("e")).first()
    if user and not user.email_verified:
        user.email_verified = True
        user.save(update_fields=["email_verified"])
    return user


@transaction.atomic
def delete_account(user: User) -> None:
    """Delete a reader's account and everything personal; download records keep the mark, not the user."""
    log.info("account %s deleted by its owner", user.pk)
    user.delete()
