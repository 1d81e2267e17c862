"""The benchmark's baseline: the prediction API with no web framework at all.

A plain WSGI callable does what the apps' API views do, by hand: read the JSON body, validate and
predict through shared_model, insert the rows with the standard library's sqlite3 (the same table
and the same SQLite settings as the apps), and answer with the apps' own payloads and JSON encoder
(shared_web), so that its bodies are the apps' bytes. What Flask or Django costs on top of this is
the framework's price (benchmarks/README.md).

    gunicorn --workers 1 'benchmarks.baseline_wsgi:create_app()'    # DATABASE_URL=sqlite:///FILE

It knows only the three paths the benchmark loads and refuses nothing politely: it is a yardstick,
not an app.
"""

from __future__ import annotations

import functools
import os
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any

from shared_model.artifact import load_model
from shared_model.predictor import Outcome, Predictions, Predictor
from shared_model.validation import ValidationError
from shared_web import api_input
from shared_web.errors import ApiError
from shared_web.jsoncodec import dumps, dumps_text
from shared_web.payloads import batch_payload, health_payload, prediction_payload
from shared_web.sqlite import PRAGMAS as SQLITE_PRAGMAS

StartResponse = Callable[[str, list[tuple[str, str]]], object]

TABLE = "prediction"
SCHEMA = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
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
COLUMNS = (
    "created_at",
    "source",
    "model_name",
    "model_version",
    "features",
    "label",
    "probabilities",
    "feedback_comment",
)
ROWS_PER_STATEMENT = 1000  # 8,000 parameters, within SQLite's 32,766
STORED_TIME = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy keeps a DateTime in SQLite


@dataclass
class StoredRow:
    """A new prediction as stored: what shared_web.payloads reads from either app's model."""

    id: int
    created_at: datetime
    source: str
    model_name: str
    model_version: str
    features: Mapping[str, float]
    label: str
    probabilities: Mapping[str, float]
    feedback_label: str | None = None
    feedback_correct: bool | None = None
    feedback_comment: str = ""
    feedback_at: datetime | None = None


def connect(database: str) -> sqlite3.Connection:
    """One connection per worker process, tuned as both apps tune theirs."""
    connection = sqlite3.connect(database, isolation_level=None)
    for pragma in SQLITE_PRAGMAS:
        connection.execute(f"PRAGMA {pragma}")
    connection.execute(SCHEMA)
    return connection


@functools.cache
def insert_statement(rows: int) -> str:
    """One INSERT of `rows` rows: column names and `?` placeholders only, never a value."""
    group = "(" + ", ".join("?" * len(COLUMNS)) + ")"
    return f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) VALUES {', '.join([group] * rows)} RETURNING id"


def row_parameters(fixed: tuple[object, ...], outcomes: Sequence[Outcome]) -> list[object]:
    """The parameters of an INSERT of these rows in `COLUMNS` order: `fixed` (created_at, source,
    model name and version) then each row's own values, the JSON written by shared_web.jsoncodec."""
    parameters: list[object] = []
    for outcome in outcomes:
        parameters += (
            *fixed,
            dumps_text(outcome.features),
            outcome.label,
            dumps_text(outcome.probabilities),
            "",
        )
    return parameters


def insert(
    connection: sqlite3.Connection,
    model: Predictor,
    outcomes: Sequence[Outcome],
    source: str,
    created_at: datetime,
) -> list[int]:
    """Insert the rows in one transaction, one parameterized INSERT … RETURNING id per 1,000
    rows, the JSON columns written by shared_web.jsoncodec; returns the new ids in the rows'
    order."""
    fixed = (created_at.strftime(STORED_TIME), source, model.name, model.version)
    ids: list[int] = []
    connection.execute("BEGIN IMMEDIATE")
    try:
        for start in range(0, len(outcomes), ROWS_PER_STATEMENT):
            chunk = outcomes[start : start + ROWS_PER_STATEMENT]
            parameters = row_parameters(fixed, chunk)
            returned = connection.execute(insert_statement(len(chunk)), parameters).fetchall()
            # SQLite numbers the rows of one INSERT in the order of its VALUES, but does not
            # promise to return them in that order.
            ids += sorted(row[0] for row in returned)
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")
    return ids


def store(
    connection: sqlite3.Connection, model: Predictor, predictions: Predictions, source: str = "api"
) -> list[StoredRow]:
    """Store new predictions, all or none; returns them as stored, in the batch's order."""
    created_at = datetime.now(UTC)
    outcomes = list(predictions)
    ids = insert(connection, model, outcomes, source, created_at)
    return [
        StoredRow(row_id, created_at, source, model.name, model.version, *outcome)
        for row_id, outcome in zip(ids, outcomes, strict=True)
    ]


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
        body = dumps(payload)
        start_response(
            f"{status} {HTTPStatus(status).phrase}",
            [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
        )
        return [body]

    def application(environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        path, method = environ["PATH_INFO"], environ["REQUEST_METHOD"]
        if method == "GET" and path == "/api/v1/health":
            database_connection().execute("SELECT 1")
            return answer(health_payload(True, model.version)[1], 200, start_response)
        if method != "POST" or path not in ("/api/v1/predict", "/api/v1/predict/batch"):
            return answer(ApiError.of(404).payload(), 404, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        try:
            body = api_input.parse_json_object(
                environ["wsgi.input"].read(length), environ.get("CONTENT_TYPE")
            )
            if path == "/api/v1/predict":
                predictions = model.predict_one(api_input.features_of(body))
            else:
                predictions = model.predict_batch(api_input.instances_of(body))
        except ValidationError as error:
            return answer(ApiError.from_validation(error).payload(), 400, start_response)
        except ApiError as error:
            return answer(error.payload(), error.status, start_response)
        rows = store(database_connection(), model, predictions)
        if path == "/api/v1/predict":
            return answer(prediction_payload(rows[0], model.manifest), 201, start_response)
        return answer(batch_payload(rows, model.manifest), 201, start_response)

    return application
