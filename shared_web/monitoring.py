"""The model's Prometheus series, defined once for both apps (docs/spec.md#101-metrics).

Each framework's exporter (prometheus-flask-exporter, django-prometheus) adds its own HTTP series
and serves `/metrics`; what the model does is counted here, so that both apps export exactly the
same series. They live in prometheus_client's default registry, which django-prometheus exports;
the Flask app registers them in its own registry too (`flask_app/metrics.py`).

Under gunicorn, `PROMETHEUS_MULTIPROC_DIR` (set by deploy/gunicorn.conf.py before any worker
imports prometheus_client) makes every value a file that each worker's `/metrics` adds up.
"""

from __future__ import annotations

from collections import Counter as Tally
from collections.abc import Sequence
from dataclasses import dataclass

from prometheus_client import Counter, Histogram

# `app` keeps the two apps apart where one process serves both (`python3 dev.py -s serve`).
PREDICTIONS = Counter(
    "model_predictions_total",
    "Stored predictions, by the class they predicted and where they came from.",
    ["app", "model_version", "label", "source"],
)
PREDICT_SECONDS = Histogram(
    "model_predict_seconds",
    "Time the model took to validate and predict one request's rows.",
    ["app", "model_version"],
    # One row takes well under a millisecond, a batch of 1,000 a few: finer than the defaults.
    buckets=(0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0),
)
FEEDBACK = Counter(
    "model_feedback_total",
    "Feedback given on predictions, by whether the prediction was right.",
    ["app", "model_version", "correct"],
)
SERIES = (PREDICTIONS, PREDICT_SECONDS, FEEDBACK)


@dataclass(frozen=True)
class ModelMetrics:
    """The model series of one app; with `enabled` false (`METRICS_ENABLED=false`) it counts
    nothing."""

    app: str
    enabled: bool = True

    def predicted(
        self, model_version: str, source: str, labels: Sequence[str], seconds: float
    ) -> None:
        """Count one request's stored predictions, one step per label however many rows had
        it, and the time validating and predicting them took."""
        if not self.enabled:
            return
        for label, rows in Tally(labels).items():
            PREDICTIONS.labels(self.app, model_version, label, source).inc(rows)
        PREDICT_SECONDS.labels(self.app, model_version).observe(seconds)

    def feedback(self, model_version: str, correct: bool) -> None:
        """Count one feedback given on a prediction of `model_version`."""
        if self.enabled:
            FEEDBACK.labels(self.app, model_version, "true" if correct else "false").inc()
