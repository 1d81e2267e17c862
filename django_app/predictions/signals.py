"""What the predictions app does when Django's auth says something happened; connected in
`PredictionsConfig.ready`, as Django's docs advise."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from .models import Prediction
from .ownership import VISITOR_SESSION_KEY


@receiver(user_logged_in)
def claim_visitor_predictions(
    sender: type, request: HttpRequest, user: User, **kwargs: Any
) -> None:
    """Log-in and sign-up move the visitor's predictions, those no account owns yet, to the
    account (docs/spec.md#94-ownership); from then on the account, not the visitor id, owns them."""
    visitor = request.session.get(VISITOR_SESSION_KEY)
    if visitor:
        Prediction.objects.filter(visitor=visitor, owner=None).update(owner=user, visitor=None)
