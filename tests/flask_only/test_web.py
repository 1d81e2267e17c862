"""Flask-only checks of how the app uses its framework: JSON, the history's page size, ids."""

import pytest

pytest.importorskip("flask")

from flask import jsonify


def test_json_answers_are_orjson_bytes_through_flask_json_provider(flask_app):
    with flask_app.app_context():
        response = jsonify({"b": 1.0, "a": "é", "n": None})
    assert response.mimetype == "application/json"
    assert response.get_data() == '{"b":1.0,"a":"é","n":null}'.encode()


def test_the_history_page_size_cannot_be_changed_from_the_query(flask_client, valid_features):
    flask_client.post_json("/api/v1/predict/batch", {"instances": [valid_features] * 25})
    rows = (
        flask_client.get("/history?per_page=5")
        .soup()
        .select('[data-testid="history-table"] tbody tr')
    )
    assert len(rows) == 20
    assert flask_client.get("/history?page=2&per_page=100").status == 200
    assert flask_client.get("/history?page=3").status == 404


def test_the_largest_id_a_database_holds_is_looked_up_and_the_next_one_is_not(flask_client):
    assert flask_client.get(f"/api/v1/predictions/{2**63 - 1}").status == 404
    assert flask_client.get(f"/api/v1/predictions/{2**63}").status == 404
    assert flask_client.get(f"/predictions/{2**63}").status == 404
