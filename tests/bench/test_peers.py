"""The benchmark compares like with like: its bare-WSGI baseline and its FastAPI peer answer a
prediction with the apps' very bytes, store it, refuse bad input with the apps' very bytes, and
stand up under wrk.

Each peer runs as a real server (gunicorn or uvicorn); each app answers through its test client,
on a database of its own. Two servers cannot give the same id or time, so the apps' bodies are
compared with the peer's `id` and `created_at` put in their place, and the peer's body is then
checked against the row it stored.
"""

from __future__ import annotations

import sqlite3
import urllib.error
import urllib.request
from contextlib import closing
from datetime import datetime
from typing import Any

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("gunicorn")

from benchmarks import servers, wrk
from benchmarks.baseline_wsgi import StoredRow
from shared_web.jsoncodec import dumps, loads
from shared_web.payloads import prediction_payload

PEERS = [servers.BASELINE, servers.FASTAPI]
APPS = [
    pytest.param("flask", marks=pytest.mark.flask),
    pytest.param("django", marks=[pytest.mark.django, pytest.mark.django_db]),
]
JSON = "application/json"


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


@pytest.fixture(params=APPS)
def app(request):
    """The app the peer is held to: Flask's or Django's test client, on an empty database."""
    pytest.importorskip(request.param)
    return request.getfixturevalue(f"{request.param}_client")


def post(server, path: str, body: bytes, content_type: str = JSON) -> tuple[int, str, bytes]:
    """POST raw bytes to a peer; its status, Content-Type and body bytes."""
    request = urllib.request.Request(
        server.url + path, body, {"Content-Type": content_type}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, answer.headers["Content-Type"], answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read()


def post_app(app, path: str, body: bytes, content_type: str = JSON) -> tuple[int, str, bytes]:
    answer = app.request("POST", path, body=body, content_type=content_type)
    return answer.status, answer.content_type, answer.body


def as_the_peer_would(app_body: bytes, peer_prediction: dict[str, Any]) -> dict[str, Any]:
    """The app's prediction object with the peer's id and time in place (keys keep their order).

    Re-encoding must give back the app's bytes exactly, or the comparison would be of two
    re-encodings rather than of the bodies themselves."""
    prediction = loads(app_body)
    assert dumps(prediction) == app_body
    return {
        **prediction,
        "id": peer_prediction["id"],
        "created_at": peer_prediction["created_at"],
    }


def stored_rows(server) -> list[StoredRow]:
    """The peer's rows, read back from its SQLite file, oldest first."""
    with closing(sqlite3.connect(server.database)) as connection:
        rows = connection.execute(
            "SELECT id, created_at, source, model_name, model_version, features, label,"
            f" probabilities FROM {server.contender.table} ORDER BY id"
        ).fetchall()
    return [
        StoredRow(
            row_id, datetime.fromisoformat(at), source, name, version, loads(x), label, loads(p)
        )
        for row_id, at, source, name, version, x, label, p in rows
    ]


def test_a_prediction_is_the_apps_bytes_and_its_stored_row(peer, app, model, valid_features):
    body = dumps({"features": valid_features})
    status, content_type, answer = post(peer, "/api/v1/predict", body)
    app_status, app_content_type, app_answer = post_app(app, "/api/v1/predict", body)
    assert (status, content_type) == (app_status, app_content_type) == (201, JSON)
    prediction = loads(answer)
    assert answer == dumps(as_the_peer_would(app_answer, prediction))
    [row] = stored_rows(peer)
    assert row.id == prediction["id"]
    assert dumps(prediction_payload(row, model.manifest)) == answer


def test_a_batch_is_the_apps_bytes_in_order_and_every_row_is_stored(peer, app, model):
    instances = [example["features"] for example in model.manifest.examples] * 3
    body = dumps({"instances": instances})
    status, _, answer = post(peer, "/api/v1/predict/batch", body)
    app_status, _, app_answer = post_app(app, "/api/v1/predict/batch", body)
    assert status == app_status == 201
    predictions = loads(answer)["predictions"]
    app_predictions = loads(app_answer)["predictions"]
    assert dumps(loads(app_answer)) == app_answer
    expected = {
        "predictions": [
            {**theirs, "id": ours["id"], "created_at": ours["created_at"]}
            for theirs, ours in zip(app_predictions, predictions, strict=True)
        ]
    }
    assert answer == dumps(expected)
    rows = stored_rows(peer)
    assert [row.id for row in rows] == [p["id"] for p in predictions]
    assert [loads(dumps(prediction_payload(row, model.manifest))) for row in rows] == predictions


BAD_REQUESTS = {
    "a feature that is not a number": ("/api/v1/predict", {"features": "WIDE"}, JSON),
    "an unknown key": ("/api/v1/predict", {"features": "VALID", "extra": 1}, JSON),
    "no features": ("/api/v1/predict", {}, JSON),
    "a body that is not JSON": ("/api/v1/predict", b'{"features": ', JSON),
    "a JSON array": ("/api/v1/predict", [1, 2], JSON),
    "a body not declared JSON": ("/api/v1/predict", {"features": "VALID"}, "text/plain"),
    "a batch with one bad row": ("/api/v1/predict/batch", {"instances": ["VALID", "WIDE"]}, JSON),
    "an empty batch": ("/api/v1/predict/batch", {"instances": []}, JSON),
}


@pytest.mark.parametrize("path, payload, content_type", BAD_REQUESTS.values(), ids=BAD_REQUESTS)
def test_bad_input_is_refused_with_the_apps_bytes_and_stores_nothing(
    peer, app, valid_features, path, payload, content_type
):
    wide = {**valid_features, "sepal_length": "wide"}
    words = {"VALID": valid_features, "WIDE": wide}

    def filled(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: filled(v) for k, v in value.items()}
        if isinstance(value, list):
            return [filled(v) for v in value]
        return words.get(value, value) if isinstance(value, str) else value

    body = payload if isinstance(payload, bytes) else dumps(filled(payload))
    refused = post(peer, path, body, content_type)
    assert refused[0] in (400, 415)
    assert refused == post_app(app, path, body, content_type)
    assert peer.stored_rows() == 0
    assert app.count() == 0


@pytest.mark.skipif(wrk.wrk_binary() is None, reason=f"wrk is missing: {wrk.INSTALL_HINT}")
def test_wrk_loads_a_peer_and_reports_every_status(peer, tmp_path, valid_features):
    body = tmp_path / "body.json"
    body.write_bytes(dumps({"features": valid_features}))
    load = wrk.Load("POST", "/api/v1/predict", body)
    result = wrk.run(peer.url, load, seconds=1, connections=4, count_statuses=True)
    assert result.requests > 0 and result.failed == 0
    assert result.statuses == {201: result.requests}
    assert peer.stored_rows() >= result.requests
