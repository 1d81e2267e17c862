"""The limits of docs/spec.md#96-limits, counted in the `RateLimit` table: by client address, and
for log-ins by username too. The rules (rates, keys, the address behind proxies) are
`shared_web.limits`'; this module applies them to Django's requests and settings.

Not django-axes: it locks at the 5th failure and sends no `Retry-After`. Not django-ratelimit:
its counts live in Django's cache, whose database backend does not count atomically.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from django_app.predictions.errors import TooManyRequests
from shared_web import limits

from .models import RateLimit


def client_address(request: HttpRequest) -> str:
    """The connection's address, or behind `TRUSTED_PROXY_HOPS` proxies the one the outermost
    of them saw (the rest of `X-Forwarded-For` could be forged by the client)."""
    return limits.client_address(
        request.META.get("REMOTE_ADDR"),
        request.META.get("HTTP_X_FORWARDED_FOR"),
        settings.TRUSTED_PROXY_HOPS,
    )


def login_key(request: HttpRequest, username: str) -> str:
    return limits.login_key(username, client_address(request))


def count_login_attempt(key: str) -> None:
    """Count a log-in attempt before its password is checked; from the 6th in the 15 minutes
    since the first, 429 (`TooManyRequests`, with `Retry-After`), whatever the password.

    Counting first, with one atomic UPDATE, holds for attempts sent at once too: only 5 of them
    reach the password check (counting failures after the check would let every request in
    flight through). A successful log-in clears the count, so what it counts is failures.
    """
    row = RateLimit.objects.hit(key, limits.LOGIN_WINDOW)
    if row.count > limits.LOGIN_FAILURES_ALLOWED:
        raise TooManyRequests(
            limits.retry_after(row.window_start, limits.LOGIN_WINDOW, timezone.now())
        )


def count_anonymous_prediction(request: HttpRequest) -> None:
    """Count a prediction request without a token, valid or not; 429 past
    `ANONYMOUS_RATE_LIMIT` (None: no limit)."""
    rate = settings.ANONYMOUS_RATE_LIMIT
    if rate is None:
        return
    row = RateLimit.objects.hit(limits.predict_key(client_address(request)), rate.window)
    if row.count > rate.limit:
        raise TooManyRequests(limits.retry_after(row.window_start, rate.window, timezone.now()))


def clear_login_failures(key: str) -> None:
    RateLimit.objects.clear(key)
