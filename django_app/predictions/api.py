"""The JSON API under /api/v1 (docs/spec.md#3-json-api); its rules and shapes are shared_web's.

An account is known by its token only (docs/spec.md#95-api-tokens, the decorators of
`accounts/decorators.py`), never by a cookie, so every view is exempt from CSRF checks. Reading
and feedback need a token and see that account's predictions (staff: all); predicting takes one
or none. What the views raise (`ApiError`, `ValidationError`, `TooManyRequests`, database
errors) is answered by `errors.ErrorMiddleware`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from django_app.accounts.decorators import token_optional, token_required
from shared_web import api_input
from shared_web.errors import ApiError
from shared_web.payloads import (
    batch_payload,
    health_payload,
    list_payload,
    model_payload,
    prediction_payload,
)

from .apps import current_model
from .middleware import body_too_large
from .models import Prediction
from .responses import JsonBytesResponse

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def json_body(request: HttpRequest) -> dict[str, Any]:
    """The body as a JSON object; 413 over 1 MiB, checked here rather than in a middleware so
    that a missing token is a 401 first (docs/spec.md#95-api-tokens)."""
    if body_too_large(request):
        raise ApiError.of(413)
    return api_input.parse_json_object(request.body, request.content_type)


def as_payload(row: Prediction) -> dict[str, Any]:
    return prediction_payload(row, current_model().manifest)


@csrf_exempt
@require_safe
def health(request: HttpRequest) -> HttpResponse:
    try:
        Prediction.objects.exists()
        database_ok = True
    except DatabaseError:
        database_ok = False
    status, payload = health_payload(database_ok, current_model().version)
    return JsonBytesResponse(payload, status=status)


@csrf_exempt
@require_safe
def model_info(request: HttpRequest) -> HttpResponse:
    versions = Prediction.objects.version_stats()
    return JsonBytesResponse(model_payload(current_model().manifest, versions))


@csrf_exempt
@require_POST
@token_optional
def predict(request: HttpRequest, user: User | None) -> HttpResponse:
    model = current_model()
    prediction = model.predict_one(api_input.features_of(json_body(request)))
    row = Prediction.objects.create_prediction(prediction, Prediction.Source.API, model, owner=user)
    return JsonBytesResponse(as_payload(row), status=201)


@csrf_exempt
@require_POST
@token_optional
def predict_batch(request: HttpRequest, user: User | None) -> HttpResponse:
    model = current_model()
    predictions = model.predict_batch(api_input.instances_of(json_body(request)))
    rows = Prediction.objects.create_predictions(
        predictions, Prediction.Source.API, model, owner=user
    )
    return JsonBytesResponse(batch_payload(rows, model.manifest), status=201)


@csrf_exempt
@require_safe
@token_required
def predictions(request: HttpRequest, user: User) -> HttpResponse:
    limit, offset = api_input.page_params(dict(request.GET.lists()))
    visible = Prediction.objects.visible_to(user)
    results = [as_payload(row) for row in visible.newest_first()[offset : offset + limit]]
    return JsonBytesResponse(list_payload(visible.count(), results))


@csrf_exempt
@require_safe
@token_required
def prediction(request: HttpRequest, prediction_id: int, user: User) -> HttpResponse:
    row = get_object_or_404(Prediction.objects.visible_to(user), pk=prediction_id)
    return JsonBytesResponse(as_payload(row))


@csrf_exempt
@require_POST
@token_required
def feedback(request: HttpRequest, prediction_id: int, user: User) -> HttpResponse:
    # Someone else's id is a 404 as an unknown one is, whatever the body says.
    row = get_object_or_404(Prediction.objects.visible_to(user), pk=prediction_id)
    given = api_input.feedback_of(json_body(request), current_model().classes)
    row.record_feedback(given.true_label, given.comment)
    return JsonBytesResponse(as_payload(row))
