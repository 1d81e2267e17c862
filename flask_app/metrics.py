"""`GET /metrics` through prometheus-flask-exporter, and the model's series (docs/spec.md#101-metrics).

The exporter times every request (`flask_http_request_duration_seconds`, labelled by route, not
by path, so that `/predictions/1` and `/predictions/2` share one series) and serves `/metrics`;
under gunicorn it adds up every worker's values from `PROMETHEUS_MULTIPROC_DIR`. Each app gets
its own registry, with the shared model series registered in it: the exporter registers its HTTP
series once per registry, and the tests build many apps in one process.
"""

from __future__ import annotations

from flask import Flask, current_app
from prometheus_client import CollectorRegistry
from prometheus_flask_exporter import PrometheusMetrics

from shared_web.monitoring import SERIES, ModelMetrics

METRICS_PATH = "/metrics"


def init_app(app: Flask) -> None:
    app.extensions["model_metrics"] = ModelMetrics("flask", enabled=app.config["METRICS_ENABLED"])
    if not app.config["METRICS_ENABLED"]:
        return
    registry = CollectorRegistry()
    for series in SERIES:
        registry.register(series)
    PrometheusMetrics(
        app,
        path=METRICS_PATH,
        registry=registry,
        group_by="url_rule",
    )


def model_metrics() -> ModelMetrics:
    """The model series of the current app."""
    metrics: ModelMetrics = current_app.extensions["model_metrics"]
    return metrics
