"""Whose a prediction made on a page is, and which ones a page may show
(docs/spec.md#94-ownership).

A logged-in visitor's predictions are their account's. A visitor without an account gets a
random visitor id in their session at their first prediction; it survives the new session id
at log-in, when `signals.claim_visitor_predictions` moves those predictions to the account.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.http import HttpRequest

from .models import Prediction, PredictionQuerySet

VISITOR_SESSION_KEY = "visitor"


def new_prediction_owner(request: HttpRequest) -> dict[str, Any]:
    """`owner` or `visitor`, the keyword arguments of `Prediction.objects.create_prediction(s)`.

    Storing the visitor id starts the session (and sets its cookie) if there was none.
    """
    if request.user.is_authenticated:
        return {"owner": request.user}
    return {"visitor": request.session.setdefault(VISITOR_SESSION_KEY, secrets.token_hex(16))}


def visible_predictions(request: HttpRequest) -> PredictionQuerySet:
    """The predictions this visitor may see; any other id is a 404, never a 403."""
    return Prediction.objects.visible_to(request.user, request.session.get(VISITOR_SESSION_KEY))
