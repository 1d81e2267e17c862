"""The accounts app's two tables (docs/spec.md#98-the-tables): API tokens and the counts behind
the limits. Accounts and sessions are `django.contrib.auth`'s `User` and `django_session`."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from shared_web.accounts import TOKEN_NAME_MAX_LENGTH
from shared_web.limits import KEY_MAX_LENGTH
from shared_web.tokens import DIGEST_LENGTH, new_token, token_digest

if TYPE_CHECKING:
    from django.contrib.auth.models import User

LAST_USED_RESOLUTION = timedelta(minutes=1)
"""`last_used_at` is written at most once a minute, so that reading through the API does not
turn every request into a write (docs/spec.md#95-api-tokens)."""


class ApiTokenManager(models.Manager["ApiToken"]):
    def create_token(self, user: User, name: str) -> tuple[ApiToken, str]:
        """A new token for `user`, and its secret: shown once, never stored."""
        secret, digest = new_token()
        return self.create(user=user, name=name, digest=digest), secret

    def user_for(self, secret: str) -> User | None:
        """The active account a token's secret belongs to, or `None` for a wrong or revoked one.

        One indexed lookup by the secret's SHA-256 (`shared_web.tokens` says why a fast hash).
        """
        if not secret:
            return None
        token = (
            self.select_related("user")
            .filter(digest=token_digest(secret), user__is_active=True)
            .first()
        )
        if token is None:
            return None
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
            self.filter(pk=token.pk).update(last_used_at=now)
        return token.user


class ApiToken(models.Model):
    """A secret that lets a program use the JSON API as its owner; only its SHA-256 is kept."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=TOKEN_NAME_MAX_LENGTH)
    digest = models.CharField(max_length=DIGEST_LENGTH, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenManager()

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return self.name


class RateLimitManager(models.Manager["RateLimit"]):
    def hit(self, key: str, window: timedelta) -> RateLimit:
        """Count one request against `key` in its fixed window; the row as it now is.

        One `UPDATE` counts it, atomically in the database, so that every worker and every
        server sees the same count (docs/spec.md#96-limits): `count + 1` while the window that
        began at `window_start` lasts, else a new window from now with a count of 1. A key seen
        for the first time gets its row; when another worker makes that row first, the INSERT
        fails on the unique key and the count is taken again, now by the UPDATE.
        """
        while True:
            try:
                return self._count(key, window)
            except IntegrityError:
                continue

    def _count(self, key: str, window: timedelta) -> RateLimit:
        now = timezone.now()
        in_window = Q(window_start__gt=now - window)
        # The UPDATE is the transaction's first statement: on SQLite the transaction is
        # IMMEDIATE (settings.py), so it holds the write lock from the start.
        with transaction.atomic():
            counted = self.filter(key=key).update(
                count=Case(When(in_window, then=F("count") + 1), default=Value(1)),
                window_start=Case(When(in_window, then=F("window_start")), default=Value(now)),
            )
            if not counted:
                self.create(key=key, window_start=now, count=1)
            return self.get(key=key)

    def clear(self, key: str) -> None:
        self.filter(key=key).delete()


class RateLimit(models.Model):
    """How many requests one key (a username and address, or an address) made in its window."""

    key = models.CharField(max_length=KEY_MAX_LENGTH, unique=True)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField()

    objects = RateLimitManager()

    def __str__(self) -> str:
        return f"{self.key}: {self.count} since {self.window_start:%Y-%m-%d %H:%M:%S}"
