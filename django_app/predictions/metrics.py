"""The model's series for the Django app (docs/spec.md#101-metrics); django-prometheus adds the
HTTP series and serves them all at `/metrics` (`django_app/urls.py`)."""

from django.conf import settings

from shared_web.monitoring import ModelMetrics

model_metrics = ModelMetrics("django", enabled=settings.METRICS_ENABLED)
