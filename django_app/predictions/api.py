"""The JSON API under /api/v1 (docs/spec.md#3-json-api); its rules and shapes are shared_web's.

Every view is exempt from CSRF checks: the API is not cookie-authenticated. What they raise
(`ApiError`, `ValidationError`, database errors) is answered by `errors.ErrorMiddleware`.
"""

from __future__ import annotations

from typing import Any

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from shared_web import api_input
from shared_web.payloads import (
    batch_payload,
    health_payload,
    list_payload,
    model_payload,
    prediction_payload,
)

from .apps import current_model
from .models import Prediction
from .responses import JsonBytesResponse


def json_body(request: HttpRequest) -> dict[str, Any]:
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
    status, payload = health_payload(database_ok)
    return JsonBytesResponse(payload, status=status)


@csrf_exempt
@require_safe
def model_info(request: HttpRequest) -> HttpResponse:
    return JsonBytesResponse(model_payload(current_model().manifest))


@csrf_exempt
@require_POST
def predict(request: HttpRequest) -> HttpResponse:
    model = current_model()
    outcome = model.predict(api_input.features_of(json_body(request)))
    row = Prediction.objects.create_prediction(outcome, Prediction.Source.API, model)
    return JsonBytesResponse(as_payload(row), status=201)


@csrf_exempt
@require_POST
def predict_batch(request: HttpRequest) -> HttpResponse:
    model = current_model()
    outcomes = model.predict_batch(api_input.instances_of(json_body(request)))
    rows = Prediction.objects.create_predictions(outcomes, Prediction.Source.API, model)
    return JsonBytesResponse(batch_payload(rows, model.manifest), status=201)


@csrf_exempt
@require_safe
def predictions(request: HttpRequest) -> HttpResponse:
    limit, offset = api_input.page_params(dict(request.GET.lists()))
    rows = Prediction.objects.newest_first()[offset : offset + limit]
    results = [as_payload(row) for row in rows]
    return JsonBytesResponse(list_payload(Prediction.objects.count(), results))


@csrf_exempt
@require_safe
def prediction(request: HttpRequest, prediction_id: int) -> HttpResponse:
    return JsonBytesResponse(as_payload(get_object_or_404(Prediction, pk=prediction_id)))


@csrf_exempt
@require_POST
def feedback(request: HttpRequest, prediction_id: int) -> HttpResponse:
    row = get_object_or_404(Prediction, pk=prediction_id)  # an unknown id is 404 whatever the body
    given = api_input.feedback_of(json_body(request), current_model().classes)
    row.record_feedback(given.true_label, given.comment)
    return JsonBytesResponse(as_payload(row))
