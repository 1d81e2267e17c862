"""The predictions app, and the one model it serves.

The model is loaded on first use, not when Django's app registry is ready: management commands
(`migrate`, `createsuperuser`, ...) set Django up too, and they neither need a trained model nor
should import scikit-learn (docs/spec.md#13-starting-and-refusing-to-start). A server loads it
before its first request: `django_app/wsgi.py` asks for it right after building the WSGI app.
"""

from __future__ import annotations

import functools

from django.apps import AppConfig
from django.conf import settings

from shared_model.artifact import load_model
from shared_model.predictor import Predictor


class PredictionsConfig(AppConfig):
    name = "django_app.predictions"
    verbose_name = "Predictions"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects its receivers)


@functools.cache
def current_model() -> Predictor:
    """The model at `settings.MODEL_PATH`, loaded once per process and shared by every request
    (a `Predictor` is safe to share between threads); raises `ModelError` if it cannot be served."""
    return load_model(settings.MODEL_PATH)
