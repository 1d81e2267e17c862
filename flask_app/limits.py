"""The limits of docs/spec.md#96-limits: failed log-ins per username and client address, and
predictions through the API without a token per client address.

The counts live in the `rate_limit` table (`accounts_store.count_one`), so that they hold across
every worker and every server. No library fits: Flask-Limiter's storages have no SQL backend.

The client address is `request.remote_addr`: the connection's, or, with `TRUSTED_PROXY_HOPS`
proxies in front, the one the outermost of them saw, which Werkzeug's `ProxyFix` puts there
(`security.py`).
"""

from __future__ import annotations

from flask import abort, current_app, request

from shared_web.limits import (
    LOGIN_FAILURES_ALLOWED,
    LOGIN_WINDOW,
    Rate,
    login_key,
    predict_key,
    retry_after,
)

from . import accounts_store
from .models import utcnow


def client_address() -> str:
    return request.remote_addr or ""


def count_login_attempt(username: str) -> None:
    """Count a log-in attempt before its password is checked; from the 6th in the 15 minutes
    since the first, 429 with `Retry-After`, whatever the password.

    Counting first, with one atomic UPDATE, holds for attempts sent at once too: only 5 of them
    reach the password check (counting failures after the check would let every request in
    flight through). A successful log-in clears the count, so what it counts is failures.
    """
    now = utcnow()
    key = login_key(username, client_address())
    count, window_start = accounts_store.count_one(key, LOGIN_WINDOW, now)
    if count > LOGIN_FAILURES_ALLOWED:
        abort(429, retry_after=retry_after(window_start, LOGIN_WINDOW, now))


def forget_failed_logins(username: str) -> None:
    accounts_store.clear_count(login_key(username, client_address()))


def count_anonymous_prediction() -> None:
    """Count a tokenless API prediction, valid or not; past `ANONYMOUS_RATE_LIMIT` in the
    current window, 429 with `Retry-After`. No limit when the setting is empty."""
    rate: Rate | None = current_app.config["ANONYMOUS_RATE_LIMIT"]
    if rate is None:
        return
    now = utcnow()
    count, window_start = accounts_store.count_one(predict_key(client_address()), rate.window, now)
    if count > rate.limit:
        abort(429, retry_after=retry_after(window_start, rate.window, now))
