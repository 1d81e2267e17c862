"""Faults: the database stops mid-run, and comes back."""

from __future__ import annotations

from web import Browserish

SETOSA = {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}


def count(browser: Browserish, app_url: str, token: str) -> int:
    """How many predictions the token's account has."""
    headers = {"Authorization": f"Bearer {token}"}
    reply = browser.request("GET", f"{app_url}/api/v1/predictions?limit=1", headers=headers)
    return int(reply.json()["count"])


def test_with_postgresql_stopped_both_apps_say_503_and_recover_when_it_returns(stack):
    browser = Browserish()
    counts, tokens = {}, {}
    for app in ("flask", "django"):
        browser.sign_up(f"{stack.url}/{app}", "faults")
        tokens[app] = browser.new_token(f"{stack.url}/{app}")
        made = browser.post_json(
            f"{stack.url}/{app}/api/v1/predict", {"features": SETOSA}, tokens[app]
        )
        assert made.status == 201
        counts[app] = count(browser, f"{stack.url}/{app}", tokens[app])
    version = browser.get(f"{stack.url}/flask/api/v1/health").json()["model_version"]
    stack.database.stop()
    try:
        for app in ("flask", "django"):
            health = browser.get(f"{stack.url}/{app}/api/v1/health")
            assert health.status == 503
            assert health.json() == {
                "status": "unavailable",
                "checks": {"model": "ok", "database": "unreachable"},
                "model_version": version,
            }
            refused = browser.post_json(f"{stack.url}/{app}/api/v1/predict", {"features": SETOSA})
            assert refused.status == 503
            assert refused.json()["error"]["code"] == "service_unavailable"
            batch = browser.post_json(
                f"{stack.url}/{app}/api/v1/predict/batch", {"instances": [SETOSA] * 50}
            )
            assert batch.status == 503
            assert browser.get(f"{stack.url}/{app}/history").status == 503
    finally:
        stack.database.start()
    for app in ("flask", "django"):
        assert browser.get(f"{stack.url}/{app}/api/v1/health").status == 200
        assert count(browser, f"{stack.url}/{app}", tokens[app]) == counts[app]
        assert (
            browser.post_json(f"{stack.url}/{app}/api/v1/predict", {"features": SETOSA}).status
            == 201
        )
    log = "".join(stack.log(name) for name in stack.app_logs("flask"))
    assert (
        "Database postgresql+psycopg://postgres@127.0.0.1" in log or "Database postgresql://" in log
    )
