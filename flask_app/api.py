"""The JSON API under /api/v1 (contract §3). Rules and shapes come from shared_model."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request
from sqlalchemy.exc import SQLAlchemyError

from shared_web import api_input
from shared_web.errors import API_PREFIX
from shared_web.jsoncodec import dumps
from shared_web.payloads import health_payload, list_payload, model_payload, prediction_payload

from . import store
from .extensions import current_model, db
from .models import Prediction

bp = Blueprint("api", __name__, url_prefix=API_PREFIX)


def json_response(payload: Any, status: int = 200) -> Response:
    """JSON bytes built by shared_model, so both apps answer with the very same body."""
    return Response(dumps(payload), status=status, content_type="application/json")


def json_body() -> dict[str, Any]:
    """The request body as a JSON object; Flask raises 413 first if it is over 1 MiB."""
    return api_input.parse_json_object(request.get_data(cache=False), request.content_type)


def as_payload(row: Prediction) -> dict[str, Any]:
    return prediction_payload(row, current_model().manifest)


@bp.get("/health")
def health() -> Response:
    try:
        store.ping()
        database_ok = True
    except SQLAlchemyError:
        db.session.rollback()
        database_ok = False
    status, payload = health_payload(database_ok)
    return json_response(payload, status)


@bp.get("/model")
def model_info() -> Response:
    return json_response(model_payload(current_model().manifest))


@bp.post("/predict")
def predict() -> Response:
    stored = store.save(
        current_model().predict_one(api_input.features_of(json_body())), source="api"
    )
    return Response(stored.prediction_json(), status=201, content_type="application/json")


@bp.post("/predict/batch")
def predict_batch() -> Response:
    predictions = current_model().predict_batch(api_input.instances_of(json_body()))
    stored = store.save(predictions, source="api")
    return Response(stored.batch_json(), status=201, content_type="application/json")


@bp.get("/predictions")
def predictions() -> Response:
    limit, offset = api_input.page_params(request.args.to_dict(flat=False))
    count, rows = store.page(limit, offset)
    return json_response(list_payload(count, [as_payload(row) for row in rows]))


@bp.get("/predictions/<int:prediction_id>")
def prediction(prediction_id: int) -> Response:
    return json_response(as_payload(store.get_or_404(prediction_id)))


@bp.post("/predictions/<int:prediction_id>/feedback")
def feedback(prediction_id: int) -> Response:
    row = store.get_or_404(prediction_id)
    given = api_input.feedback_of(json_body(), current_model().classes)
    return json_response(as_payload(store.record_feedback(row, given.true_label, given.comment)))
