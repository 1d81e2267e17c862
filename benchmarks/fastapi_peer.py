"""The peer readers ask about: the same prediction API in FastAPI, served by uvicorn.

It does the baseline's work (benchmarks/baseline_wsgi.py) through FastAPI's routing and
responses: the raw body goes to shared_web's request rules, so validation and messages are the
same as in the two apps, and the answers are shared_web's payloads in its JSON encoder, so the
bodies are the apps' bytes.

    uvicorn --workers 1 --factory benchmarks.fastapi_peer:create_app    # DATABASE_URL=sqlite:///FILE

It writes through the standard library's sqlite3, with the baseline's very `store` (one
parameterized INSERT … RETURNING id per batch), not through SQLAlchemy: FastAPI prescribes no
database layer, and the peer is here to price the framework. With the baseline's write path, the
difference between the two is FastAPI and uvicorn alone; SQLAlchemy's own cost on this write is
measured apart, by benchmarks/writes.py.

The views are `async def` and call SQLite directly: each request's insert is well under a
millisecond, so handing it to a thread pool would cost more than it saves. A view that waits on
something slow would be a plain `def`, which FastAPI runs in its thread pool.
"""

from __future__ import annotations

import os
import sqlite3
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response

from shared_model.artifact import load_model
from shared_model.validation import ValidationError
from shared_web import api_input
from shared_web.errors import ApiError
from shared_web.jsoncodec import MEDIA_TYPE, dumps
from shared_web.payloads import batch_payload, health_payload, prediction_payload

from .baseline_wsgi import connect, store


def json_response(payload: Any, status: int = 200) -> Response:
    return Response(dumps(payload), status_code=status, media_type=MEDIA_TYPE)


def create_app() -> FastAPI:
    database = os.environ["DATABASE_URL"].removeprefix("sqlite:///")
    model = load_model(os.environ.get("MODEL_PATH") or None)
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    connections: list[sqlite3.Connection] = []

    def database_connection() -> sqlite3.Connection:
        if not connections:
            connections.append(connect(database))
        return connections[0]

    @app.exception_handler(ApiError)
    async def api_error(request: Request, error: ApiError) -> Response:
        return json_response(error.payload(), error.status)

    @app.exception_handler(ValidationError)
    async def validation_error(request: Request, error: ValidationError) -> Response:
        return json_response(ApiError.from_validation(error).payload(), 400)

    async def json_body(request: Request) -> dict[str, Any]:
        return api_input.parse_json_object(
            await request.body(), request.headers.get("content-type")
        )

    @app.get("/api/v1/health")
    async def health() -> Response:
        database_connection().execute("SELECT 1")
        return json_response(health_payload(True, model.version)[1])

    @app.post("/api/v1/predict")
    async def predict(request: Request) -> Response:
        predictions = model.predict_one(api_input.features_of(await json_body(request)))
        [row] = store(database_connection(), model, predictions)
        return json_response(prediction_payload(row, model.manifest), 201)

    @app.post("/api/v1/predict/batch")
    async def predict_batch(request: Request) -> Response:
        predictions = model.predict_batch(api_input.instances_of(await json_body(request)))
        rows = store(database_connection(), model, predictions)
        return json_response(batch_payload(rows, model.manifest), 201)

    return app
