"""docs/spec.md#96-limits under gunicorn with 4 workers: the failed log-ins of one username and
address are counted in the database, so every worker sees them all (per-process counts would
allow 5 failures per worker, 20 in all)."""

from __future__ import annotations

from http_client import PASSWORD, Browserish
from served_apps import Server


def attempt(server: Server, password: str, **headers: str) -> tuple[int, str | None]:
    """One log-in as `ann` from a new browser (so a new connection, maybe another worker)."""
    values = {"username": "ann", "password": password}
    reply = Browserish().submit(f"{server.url}/accounts/login", "login-form", values, **headers)
    return reply.status, reply.headers.get("Retry-After")


def test_the_sixth_failed_log_in_is_refused_whichever_worker_answers(served: Server):
    Browserish().sign_up(served.url, "ann")
    failures = [attempt(served, f"wrong password {n}") for n in range(5)]
    assert failures == [(400, None)] * 5
    status, retry_after = attempt(served, PASSWORD)
    assert status == 429
    assert retry_after is not None and 1 <= int(retry_after) <= 900


def test_a_forged_forwarded_address_does_not_dodge_the_limit(served: Server):
    """With no proxy in front (TRUSTED_PROXY_HOPS=0 in development), X-Forwarded-For is ignored."""
    Browserish().sign_up(served.url, "ann")
    statuses = [
        attempt(served, "wrong password", **{"X-Forwarded-For": f"203.0.113.{n}"})[0]
        for n in range(6)
    ]
    assert statuses == [400] * 5 + [429]


def test_no_password_reaches_the_log(served: Server):
    browser = Browserish()
    browser.sign_up(served.url, "ann")
    attempt(served, "a wrong password that must not be logged")
    log = served.log.read_text()
    assert PASSWORD not in log
    assert "a wrong password that must not be logged" not in log
