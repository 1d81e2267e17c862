"""The JSON API under /api/v1 (contract §3). Rules and shapes come from shared_model.

Every view is exempt from CSRF checks: the API is not cookie-authenticated. Errors they raise
(`ApiError`, `ValidationError`, database errors) are answered by `middleware.ErrorShapes`.
"""

from __future__ import annotations

from typing import Any

from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from shared_web import api_input
from shared_web.payloads import health_payload, list_payload, model_payload, prediction_payload

from .apps import current_model
from .errors import json_response
from .models import Prediction


def json_body(request: HttpRequest) -> dict[str, Any]:
    return api_input.parse_json_object(request.body, request.content_type)


def get_prediction(prediction_id: int) -> Prediction:
    if prediction_id > api_input.MAX_ID:
        raise Http404
    return get_object_or_404(Prediction, pk=prediction_id)


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
    return json_response(payload, status)


@csrf_exempt
@require_safe
def model_info(request: HttpRequest) -> HttpResponse:
    return json_response(model_payload(current_model().manifest))


@csrf_exempt
@require_POST
def predict(request: HttpRequest) -> HttpResponse:
    model = current_model()
    predictions = model.predict_one(api_input.features_of(json_body(request)))
    stored = Prediction.objects.store(predictions, Prediction.Source.API, model)
    return HttpResponse(stored.prediction_json(), status=201, content_type="application/json")


@csrf_exempt
@require_POST
def predict_batch(request: HttpRequest) -> HttpResponse:
    model = current_model()
    predictions = model.predict_batch(api_input.instances_of(json_body(request)))
    stored = Prediction.objects.store(predictions, Prediction.Source.API, model)
    return HttpResponse(stored.batch_json(), status=201, content_type="application/json")


@csrf_exempt
@require_safe
def predictions(request: HttpRequest) -> HttpResponse:
    limit, offset = api_input.page_params(dict(request.GET.lists()))
    rows = Prediction.objects.newest_first()[offset : offset + limit]
    results = [as_payload(row) for row in rows]
    return json_response(list_payload(Prediction.objects.count(), results))


@csrf_exempt
@require_safe
def prediction(request: HttpRequest, prediction_id: int) -> HttpResponse:
    return json_response(as_payload(get_prediction(prediction_id)))


@csrf_exempt
@require_POST
def feedback(request: HttpRequest, prediction_id: int) -> HttpResponse:
    row = get_prediction(prediction_id)
    given = api_input.feedback_of(json_body(request), current_model().classes)
    row.record_feedback(given.true_label, given.comment)
    return json_response(as_payload(row))
