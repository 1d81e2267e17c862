"""docs/spec.md#65-mounted-under-a-prefix: mounted under a prefix (WSGI SCRIPT_NAME), every link, action and redirect keeps it."""

from urllib.parse import urlsplit

import pytest


@pytest.fixture
def mounted(mounted_client):
    return mounted_client


def test_links_stylesheet_and_form_action_carry_the_prefix(mounted):
    prefix = mounted.prefix
    soup = mounted.get("/").soup()
    assert [urlsplit(a["href"]).path for a in soup.select("nav a")] == [
        f"{prefix}/",
        f"{prefix}/batch",
        f"{prefix}/history",
        f"{prefix}/model",
        f"{prefix}/accounts/login",
        f"{prefix}/accounts/signup",
    ]
    assert soup.select_one('link[rel="stylesheet"]')["href"] == f"{prefix}/static/style.css"
    assert soup.select_one('form[data-testid="prediction-form"]')["action"] == f"{prefix}/predict"
    assert soup.select_one('[data-testid="example-link"]')["href"].startswith(f"{prefix}/?example=")


def test_the_form_redirect_carries_the_prefix(mounted, valid_features):
    answer = mounted.submit("/", "prediction-form", valid_features)
    assert answer.status == 303
    assert answer.header("Location").startswith(f"{mounted.prefix}/predictions/")


def test_the_result_page_links_carry_the_prefix(mounted, valid_features):
    # The visitor's own prediction (docs/spec.md#94-ownership): made on the form.
    result = mounted.submit("/", "prediction-form", valid_features).header("Location")
    assert result.startswith(f"{mounted.prefix}/predictions/")
    soup = mounted.request("GET", result).soup()
    assert soup.select_one('form[data-testid="feedback-form"]')["action"] == f"{result}/feedback"
    history = mounted.get("/history").soup()
    assert history.select_one('[data-testid="history-table"] tbody a')["href"] == result
    assert (
        history.select_one('[data-testid="history-csv"]')["href"] == f"{mounted.prefix}/history.csv"
    )


def test_static_files_are_served_under_the_prefix(mounted):
    assert mounted.get("/static/style.css").status == 200


def test_api_errors_are_json_under_the_prefix(mounted):
    assert mounted.get("/api/v1/nothing").json()["error"]["code"] == "not_found"
