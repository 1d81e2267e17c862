"""The JSON API under /api/v1 (docs/spec.md#3-json-api).

Request rules and JSON shapes come from shared_web, so both apps answer alike; views return
dicts, which Flask turns into JSON through the app's provider (`json_provider.py`, orjson).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request
from sqlalchemy.exc import SQLAlchemyError

from shared_web import api_input
from shared_web.api_input import MAX_ID
from shared_web.errors import API_PREFIX
from shared_web.payloads import (
    batch_payload,
    health_payload,
    list_payload,
    model_payload,
    prediction_payload,
)

from . import store
from .extensions import current_model, db
from .models import Prediction

bp = Blueprint("api", __name__, url_prefix=API_PREFIX)

JSON = dict[str, Any]


def json_body() -> JSON:
    """The request body as a JSON object, by the API's rules: 415 before `invalid_json`
    (docs/spec.md#34-request-rules). Flask has already refused a body over 1 MiB (413)."""
    return api_input.parse_json_object(request.get_data(cache=False), request.content_type)


def as_payload(row: Prediction) -> JSON:
    return prediction_payload(row, current_model().manifest)


@bp.get("/health")
def health() -> tuple[JSON, int]:
    try:
        store.ping()
        database_ok = True
    except SQLAlchemyError:
        db.session.rollback()
        database_ok = False
    status, payload = health_payload(database_ok)
    return payload, status


@bp.get("/model")
def model_info() -> JSON:
    return model_payload(current_model().manifest)


@bp.post("/predict")
def predict() -> tuple[JSON, int]:
    outcome = current_model().predict(api_input.features_of(json_body()))
    return as_payload(store.add(outcome, source="api")), 201


@bp.post("/predict/batch")
def predict_batch() -> tuple[JSON, int]:
    outcomes = current_model().predict_batch(api_input.instances_of(json_body()))
    rows = store.add_all(outcomes, source="api")
    return batch_payload(rows, current_model().manifest), 201


@bp.get("/predictions")
def predictions() -> JSON:
    limit, offset = api_input.page_params(request.args.to_dict(flat=False))
    count, rows = store.page(limit, offset)
    return list_payload(count, [as_payload(row) for row in rows])


@bp.get(f"/predictions/<int(max={MAX_ID}):prediction_id>")
def prediction(prediction_id: int) -> JSON:
    return as_payload(store.get_or_404(prediction_id))


@bp.post(f"/predictions/<int(max={MAX_ID}):prediction_id>/feedback")
def feedback(prediction_id: int) -> JSON:
    row = store.get_or_404(prediction_id)
    given = api_input.feedback_of(json_body(), current_model().classes)
    return as_payload(store.record_feedback(row, given.true_label, given.comment))
