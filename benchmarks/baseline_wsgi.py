"""The benchmark's baseline: the prediction API with no web framework at all.

A plain WSGI callable does what the apps' API views do, by hand: read the JSON body, validate and
predict through shared_model, insert the rows with the standard library's sqlite3 (the same table
and the same SQLite settings as the apps), and answer the same JSON. What Flask or Django costs on
top of this is the framework's price (benchmarks/README.md).

    gunicorn --workers 1 'benchmarks.baseline_wsgi:create_app()'    # DATABASE_URL=sqlite:///FILE

It knows only the three paths the benchmark loads and refuses nothing politely: it is a yardstick,
not an app.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterable
from typing import Any

from shared_model.artifact import load_model
from shared_model.inserts import NewPredictions, StoredBatch, insert
from shared_model.predictor import Predictions, Predictor
from shared_model.validation import ValidationError
from shared_web import api_input as rules
from shared_web.jsoncodec import dumps
from shared_web.sqlite import PRAGMAS as SQLITE_PRAGMAS

StartResponse = Callable[[str, list[tuple[str, str]]], object]

SCHEMA = """
CREATE TABLE IF NOT EXISTS prediction (
    id INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL,
    source VARCHAR(8) NOT NULL,
    model_name VARCHAR(100) NOT NULL,
    model_version VARCHAR(12) NOT NULL,
    features TEXT NOT NULL,
    label VARCHAR(100) NOT NULL,
    probabilities TEXT NOT NULL,
    feedback_label VARCHAR(100),
    feedback_correct BOOLEAN,
    feedback_comment TEXT NOT NULL,
    feedback_at TEXT
)
"""
STATUS_LINES = {200: "200 OK", 201: "201 Created", 400: "400 Bad Request", 404: "404 Not Found"}


def connect(database: str) -> sqlite3.Connection:
    """One connection per worker process, tuned as both apps tune theirs."""
    connection = sqlite3.connect(database, isolation_level=None)
    for pragma in SQLITE_PRAGMAS:
        connection.execute(f"PRAGMA {pragma}")
    connection.execute(SCHEMA)
    return connection


def store(connection: sqlite3.Connection, model: Predictor, predictions: Predictions) -> StoredBatch:
    """The apps' INSERT (shared_model.inserts), in a transaction of the stdlib's sqlite3."""
    batch = NewPredictions.of(predictions, model, "api")
    created_at = str(batch.created_at.replace(tzinfo=None))
    connection.execute("BEGIN IMMEDIATE")
    try:
        stored = insert(
            lambda sql, parameters: connection.execute(sql, parameters).fetchall(),
            "prediction",
            batch,
            "?",
            created_at,
        )
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")
    return stored


def create_app(database_url: str | None = None) -> Callable[..., Iterable[bytes]]:
    """The WSGI callable; the database is opened lazily, after gunicorn forks the worker."""
    url = database_url or os.environ["DATABASE_URL"]
    database = url.removeprefix("sqlite:///")
    model = load_model(os.environ.get("MODEL_PATH") or None)
    connections: list[sqlite3.Connection] = []

    def database_connection() -> sqlite3.Connection:
        if not connections:
            connections.append(connect(database))
        return connections[0]

    def answer(payload: Any, status: int, start_response: StartResponse) -> list[bytes]:
        return answer_json(dumps(payload).decode(), status, start_response)

    def answer_json(text: str, status: int, start_response: StartResponse) -> list[bytes]:
        body = text.encode()
        start_response(
            STATUS_LINES[status],
            [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
        )
        return [body]

    def application(environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        path, method = environ["PATH_INFO"], environ["REQUEST_METHOD"]
        if method == "GET" and path == "/api/v1/health":
            database_connection().execute("SELECT 1")
            return answer(rules.health_payload(True)[1], 200, start_response)
        if method != "POST" or path not in ("/api/v1/predict", "/api/v1/predict/batch"):
            return answer(rules.ApiError.of(404).payload(), 404, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        try:
            body = rules.parse_json_object(environ["wsgi.input"].read(length), "application/json")
            if path == "/api/v1/predict":
                predictions = model.predict_one(rules.features_of(body))
            else:
                predictions = model.predict_batch(rules.instances_of(body))
        except ValidationError as error:
            return answer(rules.ApiError.from_validation(error).payload(), 400, start_response)
        except rules.ApiError as error:
            return answer(error.payload(), error.status, start_response)
        stored = store(database_connection(), model, predictions)
        if path == "/api/v1/predict":
            return answer_json(stored.prediction_json(), 201, start_response)
        return answer_json(stored.batch_json(), 201, start_response)

    return application
