"""Faults: the database stops mid-run, and comes back."""

from __future__ import annotations

from web import Browserish

SETOSA = {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}


def test_with_postgresql_stopped_both_apps_say_503_and_recover_when_it_returns(stack):
    browser = Browserish()
    counts = {}
    for app in ("flask", "django"):
        assert (
            browser.post_json(f"{stack.url}/{app}/api/v1/predict", {"features": SETOSA}).status
            == 201
        )
        counts[app] = browser.get(f"{stack.url}/{app}/api/v1/predictions?limit=1").json()["count"]
    stack.database.stop()
    try:
        for app in ("flask", "django"):
            health = browser.get(f"{stack.url}/{app}/api/v1/health")
            assert health.status == 503
            assert health.json() == {
                "status": "unavailable",
                "checks": {"model": "ok", "database": "unreachable"},
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
        assert (
            browser.get(f"{stack.url}/{app}/api/v1/predictions?limit=1").json()["count"]
            == counts[app]
        )
        assert (
            browser.post_json(f"{stack.url}/{app}/api/v1/predict", {"features": SETOSA}).status
            == 201
        )
    log = stack.log("flask-1") + stack.log("flask-2")
    assert (
        "Database postgresql+psycopg://postgres@127.0.0.1" in log or "Database postgresql://" in log
    )
