"""Account writes: registration, email verification, deletion."""
from __future__ import annotations

import logging

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction

from .models import User

log = logging.getLogger(__name__)
VERIFY_SALT = "miaobi.accounts.verify-email"
VERIFY_MAX_AGE = 3 * 24 * 3600


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
    if not user.email:
        return
    link = f"{base_url}/accounts/verify/{email_verification_token(user)}/"
    send_mail(
        "请验证您的邮箱",
        f"您好！\n\n请打开下面的链接验证邮箱（3 天内有效）：\n{link}\n\n如果不是您本人注册，请忽略本邮件。\n",
        settings.DEFAULT_FROM_EMAIL, [user.email],
    )
    log.info("verification email sent to user %s", user.pk)


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
