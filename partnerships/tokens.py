"""API tokens, stored hashed, with an expiry and rotation.

A token is shown once, when it is issued; the database keeps only the SHA-256 of it, so a
copy of the database (a backup, a leaked dump) holds no usable credential. A token expires
after ``API_TOKEN_DAYS`` (90 by default); issuing a new one for a user revokes the old, so
rotation is one request (``POST /api/v1/auth/token/rotate/`` with the current token, or a
password at ``/api/v1/auth/token/``) or one command (``manage.py issue_token <user>``).

Clients send it as DRF's token authentication does: ``Authorization: Token <key>``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from rest_framework import authentication, exceptions


def digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


class ApiToken(models.Model):
    """One user's API token: its SHA-256 (never the key itself) and when it expires."""

    digest = models.CharField("SHA-256 of the key", max_length=64, unique=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_token"
    )
    created = models.DateTimeField(default=timezone.now, editable=False)
    expires = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "API token"

    def __str__(self):
        return f"API token of {self.user}"

    @property
    def expired(self) -> bool:
        return self.expires <= timezone.now()

    @classmethod
    def issue(cls, user, days: int | None = None) -> tuple[ApiToken, str]:
        """A new token for ``user`` (revoking the one they had): the row and the key, which
        is shown to the user this once and never stored."""
        key = secrets.token_hex(20)
        lifetime = dt.timedelta(days=days if days is not None else settings.API_TOKEN_DAYS)
        with transaction.atomic():
            cls.objects.filter(user=user).delete()
            token = cls.objects.create(
                user=user, digest=digest(key), expires=timezone.now() + lifetime
            )
        return token, key

    @classmethod
    def revoke(cls, user) -> bool:
        deleted, _ = cls.objects.filter(user=user).delete()
        return bool(deleted)


class HashedTokenAuthentication(authentication.TokenAuthentication):
    """DRF's ``Authorization: Token <key>``, checked against the stored hash and expiry."""

    model = ApiToken

    def authenticate_credentials(self, key):
        if len(key) > 100:
            raise exceptions.AuthenticationFailed("Invalid token.")
        token = ApiToken.objects.select_related("user").filter(digest=digest(key)).first()
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        if token.expired:
            raise exceptions.AuthenticationFailed(
                "This token has expired: ask for a new one at /api/v1/auth/token/."
            )
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        return token.user, token
