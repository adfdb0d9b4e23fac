"""Personal API tokens: created and revoked by their owner in /me/tokens/, stored as SHA-256 digests.

A token reads `mbk_` + 43 random URL-safe characters (256 bits): a plain SHA-256 is enough to store
it (no brute force can reach such entropy), and lets a request find its token with one indexed lookup.
"""
from __future__ import annotations

import hashlib
import secrets

from django.utils import timezone

from .models import ApiToken

TOKEN_PREFIX = "mbk_"
MAX_TOKENS = 10


class TokenError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "ignore")).hexdigest()


def create_token(user, name: str) -> tuple[ApiToken, str]:
    """A new token for `user`; returns (the stored row, the token itself — shown once, never again)."""
    name = (name or "").strip()
    if not name:
        raise TokenError("请为令牌起一个名称，例如“写作助手”。")
    if len(name) > 60:
        raise TokenError("令牌名称不能超过 60 个字。")
    if ApiToken.objects.filter(user=user, revoked_at__isnull=True).count() >= MAX_TOKENS:
        raise TokenError(f"每个账户最多同时拥有 {MAX_TOKENS} 个有效令牌，请先撤销不用的令牌。")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken.objects.create(user=user, name=name, prefix=token[:10], digest=digest(token))
    return row, token


def revoke_token(user, token_id: int) -> ApiToken:
    """Revoke one of `user`'s own tokens (someone else's id is 'not found', never a hint)."""
    row = ApiToken.objects.filter(user=user, pk=token_id, revoked_at__isnull=True).first()
    if row is None:
        raise TokenError("没有找到这个令牌，可能已被撤销。")
    row.revoked_at = timezone.now()
    row.save(update_fields=["revoked_at"])
    return row


def user_for_token(token: str):
    """The active user a token belongs to, or None (unknown, revoked, or the account is disabled)."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 100:
        return None
    row = ApiToken.objects.select_related("user").filter(digest=digest(token), revoked_at__isnull=True).first()
    if row is None or not row.user.is_active:
        return None
    now = timezone.now()
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 300:  # one write per 5 minutes
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    row.user.api_token_id = row.pk
    return row.user
