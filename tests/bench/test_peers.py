"""The benchmark compares like with like: its bare-WSGI baseline and its FastAPI peer answer a
prediction with the same JSON as the apps, store it, and stand up under wrk."""

from __future__ import annotations

import json
import sqlite3
import urllib.request
from contextlib import closing

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("gunicorn")
pytest.importorskip("flask")

from benchmarks import servers, wrk

PEERS = [servers.BASELINE, servers.FASTAPI]
COMPARED = ("source", "model", "features", "label", "probabilities", "feedback")


@pytest.fixture(scope="module", params=PEERS, ids=lambda c: c.name)
def peer_server(request, tmp_path_factory):
    """One server per peer for the module (each takes seconds to start)."""
    contender = request.param
    folder = tmp_path_factory.mktemp(contender.name)
    with servers.serving(contender, folder / "db.sqlite3", 1, folder / "server.log") as (server, _):
        yield server


@pytest.fixture
def peer(peer_server):
    """The server, its table emptied before each test."""
    with closing(sqlite3.connect(peer_server.database)) as connection, connection:
        connection.execute(f"DELETE FROM {peer_server.contender.table}")
    return peer_server


def post(server, path, payload):
    body = json.dumps(payload).encode()
    request = urllib.request.Request(
        server.url + path, body, {"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_a_prediction_is_the_apps_prediction_and_is_stored(peer, flask_client, valid_features):
    status, body = post(peer, "/api/v1/predict", {"features": valid_features})
    expected = flask_client.post_json("/api/v1/predict", {"features": valid_features}).json()
    assert status == 201
    assert {k: body[k] for k in COMPARED} == {k: expected[k] for k in COMPARED}
    assert peer.stored_rows() == 1


def test_a_batch_is_the_apps_batch_in_order(peer, flask_client, model):
    rows = [example["features"] for example in model.manifest.examples]
    status, body = post(peer, "/api/v1/predict/batch", {"instances": rows})
    expected = flask_client.post_json("/api/v1/predict/batch", {"instances": rows}).json()
    assert status == 201
    strip = lambda predictions: [{k: p[k] for k in COMPARED} for p in predictions]  # noqa: E731
    assert strip(body["predictions"]) == strip(expected["predictions"])
    assert peer.stored_rows() == len(rows)


def test_a_bad_row_is_the_apps_validation_error_and_stores_nothing(
    peer, flask_client, valid_features
):
    bad = {"features": {**valid_features, "sepal_length": "wide"}}
    status, body = post(peer, "/api/v1/predict", bad)
    assert (status, body) == (400, flask_client.post_json("/api/v1/predict", bad).json())
    assert peer.stored_rows() == 0


@pytest.mark.skipif(wrk.wrk_binary() is None, reason=f"wrk is missing: {wrk.INSTALL_HINT}")
def test_wrk_loads_a_peer_and_reports_every_status(peer, tmp_path, valid_features):
    body = tmp_path / "body.json"
    body.write_text(json.dumps({"features": valid_features}))
    load = wrk.Load("POST", "/api/v1/predict", body)
    result = wrk.run(peer.url, load, seconds=1, connections=4, count_statuses=True)
    assert result.requests > 0 and result.failed == 0
    assert result.statuses == {201: result.requests}
    assert peer.stored_rows() >= result.requests
