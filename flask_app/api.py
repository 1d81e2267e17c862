"""The JSON API under /api/v1 (docs/spec.md#3-json-api).

Request rules and JSON shapes come from shared_web, so both apps answer alike; views return
dicts, which Flask turns into JSON through the app's provider (`json_provider.py`, orjson).

The API knows an account only by `Authorization: Bearer TOKEN` (docs/spec.md#95-api-tokens);
it has no session and ignores cookies (`sessions.py`). Checks run in the spec's order: the token
(401), the limit on predictions without one (429), then the request rules of
docs/spec.md#34-request-rules.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, g, request
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Unauthorized

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
from shared_web.tokens import bearer_token, token_digest

from . import accounts_store, limits, store
from .extensions import current_model, db
from .models import Prediction, utcnow
from .store import Viewer

bp = Blueprint("api", __name__, url_prefix=API_PREFIX)

JSON = dict[str, Any]
IGNORE_THE_TOKEN = {"api.health", "api.model_info"}


def unauthorized() -> Unauthorized:
    return Unauthorized(www_authenticate=WWWAuthenticate("Bearer"))


@bp.before_request
def authenticate() -> None:
    """Find the account of the request's token (`g.viewer`; no token: an anonymous viewer). A
    wrong or revoked token, or an `Authorization` header of another kind, is a 401 wherever a
    token is taken, even where none is needed."""
    g.viewer = Viewer()
    if request.endpoint in IGNORE_THE_TOKEN:
        return
    secret = bearer_token(request.headers.get("Authorization"))
    if secret is None:
        return
    user = accounts_store.token_user(token_digest(secret), utcnow()) if secret else None
    if user is None:
        raise unauthorized()
    g.viewer = Viewer(user_id=user.id, staff=user.is_staff)


def token_viewer() -> Viewer:
    """The token's account, for the routes that need one."""
    if g.viewer.user_id is None:
        raise unauthorized()
    viewer: Viewer = g.viewer
    return viewer


def prediction_owner() -> Viewer:
    """Whose new predictions are: the token's account, or without a token no one's (unless
    `API_TOKEN_REQUIRED`), counted against `ANONYMOUS_RATE_LIMIT`."""
    if g.viewer.user_id is None:
        if current_app.config["API_TOKEN_REQUIRED"]:
            raise unauthorized()
        limits.count_anonymous_prediction()
    viewer: Viewer = g.viewer
    return viewer


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
    status, payload = health_payload(database_ok, current_model().version)
    return payload, status


@bp.get("/model")
def model_info() -> JSON:
    return model_payload(current_model().manifest, store.version_stats())


@bp.post("/predict")
def predict() -> tuple[JSON, int]:
    owner = prediction_owner()
    prediction = current_model().predict_one(api_input.features_of(json_body()))
    return as_payload(store.add(prediction, "api", owner)), 201


@bp.post("/predict/batch")
def predict_batch() -> tuple[JSON, int]:
    owner = prediction_owner()
    predictions = current_model().predict_batch(api_input.instances_of(json_body()))
    rows = store.add_all(predictions, "api", owner)
    return batch_payload(rows, current_model().manifest), 201


@bp.get("/predictions")
def predictions() -> JSON:
    viewer = token_viewer()
    limit, offset = api_input.page_params(request.args.to_dict(flat=False))
    count, rows = store.page(limit, offset, viewer)
    return list_payload(count, [as_payload(row) for row in rows])


@bp.get(f"/predictions/<int(max={MAX_ID}):prediction_id>")
def prediction(prediction_id: int) -> JSON:
    return as_payload(store.get_or_404(prediction_id, token_viewer()))


@bp.post(f"/predictions/<int(max={MAX_ID}):prediction_id>/feedback")
def feedback(prediction_id: int) -> JSON:
    row = store.get_or_404(prediction_id, token_viewer())
    given = api_input.feedback_of(json_body(), current_model().classes)
    return as_payload(store.record_feedback(row, given.true_label, given.comment))
