"""Flask-only checks of how the app uses its framework: hosts, JSON, the history's page size."""

import shutil

import pytest

pytest.importorskip("flask")

from flask import jsonify
from werkzeug.sansio.utils import host_is_trusted

from flask_app import create_app


@pytest.fixture
def app_with_hosts(flask_migrated_db, tmp_path, monkeypatch):
    """An app built with `ALLOWED_HOSTS` set to the given value."""

    def build(allowed_hosts: str):
        monkeypatch.setenv("ALLOWED_HOSTS", allowed_hosts)
        path = tmp_path / "db.sqlite3"
        shutil.copy(flask_migrated_db, path)
        return create_app({"DATABASE_URL": f"sqlite:///{path}"})

    return build


def status_for(app, host: str) -> int:
    return app.test_client().get("/api/v1/health", headers={"Host": host}).status_code


def test_allowed_hosts_come_from_the_environment(app_with_hosts):
    app = app_with_hosts("models.example.org")
    assert status_for(app, "models.example.org") == 200
    assert status_for(app, "MODELS.example.org:8443") == 200
    assert status_for(app, "localhost") == 400


def test_a_leading_dot_allows_the_domain_and_its_subdomains(app_with_hosts):
    app = app_with_hosts(".example.org")
    assert status_for(app, "example.org") == 200
    assert status_for(app, "api.example.org") == 200
    assert status_for(app, "badexample.org") == 400


def test_a_star_allows_any_host_and_an_empty_list_none(app_with_hosts):
    assert status_for(app_with_hosts("*"), "anything.example") == 200
    assert status_for(app_with_hosts(""), "localhost") == 400


def test_the_loopback_hosts_include_ipv6_with_a_port_in_any_case(app_with_hosts):
    app = app_with_hosts("localhost,127.0.0.1,[::1]")
    assert status_for(app, "[::1]:8000") == 200
    assert status_for(app, "LOCALHOST") == 200


def test_werkzeug_trusted_hosts_cannot_say_what_allowed_hosts_says():
    """Why flask_app/security.py checks hosts itself instead of setting TRUSTED_HOSTS. When this
    test fails, Werkzeug has changed: see whether TRUSTED_HOSTS can now do the job."""
    defaults = ["localhost", "127.0.0.1", "[::1]"]
    assert not host_is_trusted("LOCALHOST", defaults)  # case-sensitive
    assert not host_is_trusted("[::1]:8000", defaults)  # "[::1]" cut at its first colon
    assert not host_is_trusted("example.org", ["*"])  # "*" taken literally
    assert host_is_trusted("evil.example", [])  # empty: every host, not none


def test_a_host_not_allowed_is_refused_before_the_csrf_check(flask_client):
    answer = flask_client.request(
        "POST", "/predict", form={"sepal_length": "5"}, headers={"Host": "evil.example"}
    )
    assert answer.status == 400


def test_json_answers_are_orjson_bytes_through_flask_json_provider(flask_app):
    with flask_app.app_context():
        response = jsonify({"b": 1.0, "a": "é", "n": None})
    assert response.mimetype == "application/json"
    assert response.get_data() == '{"b":1.0,"a":"é","n":null}'.encode()


def test_the_history_page_size_cannot_be_changed_from_the_query(flask_client, valid_features):
    ann = flask_client.signed_up("ann")  # the history shows the account's own predictions
    flask_client.post_json(
        "/api/v1/predict/batch", {"instances": [valid_features] * 25}, headers=ann.headers
    )
    rows = (
        flask_client.get("/history?per_page=5")
        .soup()
        .select('[data-testid="history-table"] tbody tr')
    )
    assert len(rows) == 20
    assert flask_client.get("/history?page=2&per_page=100").status == 200
    assert flask_client.get("/history?page=3").status == 404


def test_the_largest_id_a_database_holds_is_looked_up_and_the_next_one_is_not(flask_client):
    headers = flask_client.signed_up("ann").headers
    assert flask_client.get(f"/api/v1/predictions/{2**63 - 1}", headers=headers).status == 404
    assert flask_client.get(f"/api/v1/predictions/{2**63}", headers=headers).status == 404
    assert flask_client.get(f"/predictions/{2**63}").status == 404
