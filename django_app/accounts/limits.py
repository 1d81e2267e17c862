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


def check_login_limit(key: str) -> None:
    """429 once a username and address have failed `LOGIN_FAILURES_ALLOWED` times, until the
    window that began at the first failure is over, even with the right password."""
    retry_after = RateLimit.objects.retry_after(
        key, limits.LOGIN_FAILURES_ALLOWED, limits.LOGIN_WINDOW
    )
    if retry_after is not None:
        raise TooManyRequests(retry_after)


def count_anonymous_prediction(request: HttpRequest) -> None:
    """Count a prediction request without a token, valid or not; 429 past
    `ANONYMOUS_RATE_LIMIT` (None: no limit)."""
    rate = settings.ANONYMOUS_RATE_LIMIT
    if rate is None:
        return
    row = RateLimit.objects.hit(limits.predict_key(client_address(request)), rate.window)
    if row.count > rate.limit:
        raise TooManyRequests(limits.retry_after(row.window_start, rate.window, timezone.now()))


def count_login_failure(key: str) -> None:
    RateLimit.objects.hit(key, limits.LOGIN_WINDOW)


def clear_login_failures(key: str) -> None:
    RateLimit.objects.clear(key)
