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


def test_the_sixth_log_in_is_refused_whichever_worker_answers_and_whatever_it_forges(
    served: Server,
):
    """Each attempt claims another address in X-Forwarded-For, which no proxy in front
    (TRUSTED_PROXY_HOPS=0, the development default) makes the app ignore; no password is
    logged."""
    Browserish().sign_up(served.url, "ann")
    failures = [
        attempt(served, f"wrong password {n}", **{"X-Forwarded-For": f"203.0.113.{n}"})
        for n in range(5)
    ]
    assert failures == [(400, None)] * 5
    status, retry_after = attempt(served, PASSWORD)
    assert status == 429
    assert retry_after is not None and 1 <= int(retry_after) <= 900
    log = served.log.read_text()
    assert PASSWORD not in log
    assert "wrong password" not in log
