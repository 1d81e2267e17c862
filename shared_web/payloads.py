"""The JSON API's shapes (docs/spec.md, section 3; docs/openapi.yaml), built once for both apps
from what they store, so that the same row gives the same object in both."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any, NamedTuple, Protocol

from shared_model.predictor import Outcome, Predictor
from shared_model.schema import Manifest, format_time


class StoredPrediction(Protocol):
    """What a stored prediction row offers; both apps' ORM models have these attributes."""

    id: Any
    created_at: datetime
    source: str
    model_name: str
    model_version: str
    features: Mapping[str, float]
    label: str
    probabilities: Mapping[str, float]
    feedback_label: str | None
    feedback_correct: bool | None
    feedback_comment: str
    feedback_at: datetime | None


def new_prediction_fields(outcome: Outcome, source: str, model: Predictor) -> dict[str, Any]:
    """A new prediction's fields, named as both apps' tables name them (docs/spec.md#71-the-table);
    `created_at` and the feedback fields take the table's defaults."""
    return {
        "source": source,
        "model_name": model.name,
        "model_version": model.version,
        "features": outcome.features,
        "label": outcome.label,
        "probabilities": outcome.probabilities,
    }


class VersionStats(NamedTuple):
    """One model version's stored predictions, counted by each app's data layer in one grouped
    query over all of them: an aggregate that tells nothing about anyone's predictions
    (docs/spec.md#94-ownership). How each version does live, so a roll-out can be judged
    (docs/spec.md#104-a-new-model-without-downtime)."""

    version: str
    predictions: int
    feedback: int  # of those predictions, how many have feedback
    correct: int  # of those with feedback, how many were right

    @property
    def accuracy(self) -> float | None:
        """The share of the predictions with feedback that were right; None without any."""
        return self.correct / self.feedback if self.feedback else None


def versions_payload(versions: Iterable[VersionStats]) -> list[dict[str, Any]]:
    """`versions` in `GET /api/v1/model`, in the order given: newest version first."""
    return [
        {
            "version": stats.version,
            "predictions": stats.predictions,
            "feedback": stats.feedback,
            "correct": stats.correct,
            "accuracy": stats.accuracy,
        }
        for stats in versions
    ]


def model_payload(manifest: Manifest, versions: Iterable[VersionStats]) -> dict[str, Any]:
    """The body of `GET /api/v1/model`: the manifest's public fields, in the spec's order, then
    how every version that made stored predictions does (`versions_payload`)."""
    return {
        "name": manifest.name,
        "version": manifest.version,
        "task": manifest.task,
        "dataset": manifest.dataset,
        "trained_at": manifest.trained_at,
        "sklearn_version": manifest.sklearn_version,
        "sha256": manifest.sha256,
        "classes": list(manifest.classes),
        "features": [asdict(f) for f in manifest.features],
        "metrics": manifest.metrics,
        "examples": list(manifest.examples),
        "versions": versions_payload(versions),
    }


def feedback_payload(row: StoredPrediction) -> dict[str, Any] | None:
    if row.feedback_label is None or row.feedback_at is None:
        return None
    return {
        "true_label": row.feedback_label,
        "correct": bool(row.feedback_correct),
        "comment": row.feedback_comment or "",
        "at": format_time(row.feedback_at),
    }


def _ordered(values: Mapping[str, float], order: tuple[str, ...]) -> dict[str, float]:
    """Keys in the model's order (PostgreSQL's `jsonb` does not keep them), any others after them.

    A row read from SQLite, or just written, is in order already: that check is the fast path.
    """
    if tuple(values) == order:
        return dict(values)
    ordered = {k: values[k] for k in order if k in values}
    ordered.update((k, v) for k, v in values.items() if k not in ordered)
    return ordered


def prediction_payload(row: StoredPrediction, manifest: Manifest | None = None) -> dict[str, Any]:
    """The prediction object, from a stored row; with a manifest, keys follow the model's order."""
    if manifest is None:
        features, probabilities = dict(row.features), dict(row.probabilities)
    else:
        features = _ordered(row.features, manifest.feature_names)
        probabilities = _ordered(row.probabilities, manifest.classes)
    return {
        "id": row.id,
        "created_at": format_time(row.created_at),
        "source": row.source,
        "model": {"name": row.model_name, "version": row.model_version},
        "features": features,
        "label": row.label,
        "probabilities": probabilities,
        "feedback": feedback_payload(row),
    }


def batch_payload(rows: Sequence[StoredPrediction], manifest: Manifest) -> dict[str, Any]:
    """The body of `POST /api/v1/predict/batch`: the new predictions, in the batch's order."""
    return {"predictions": [prediction_payload(row, manifest) for row in rows]}


def list_payload(count: int, results: list[dict[str, Any]]) -> dict[str, Any]:
    """The body of `GET /api/v1/predictions`: the total count and one page of predictions."""
    return {"count": count, "results": results}


def health_payload(database_ok: bool, model_version: str) -> tuple[int, dict[str, Any]]:
    """The status and body of `GET /api/v1/health`; the model is loaded at start-up or never.

    The body names the model version this process serves, so that a roll-out can watch every
    server switch to the new one (docs/spec.md#104-a-new-model-without-downtime).
    """
    checks = {"model": "ok", "database": "ok" if database_ok else "unreachable"}
    if database_ok:
        return 200, {"status": "ok", "checks": checks, "model_version": model_version}
    return 503, {"status": "unavailable", "checks": checks, "model_version": model_version}


def error_payload(
    code: str, message: str, fields: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The one error shape of every `/api/` path; `fields` only for `validation_error`."""
    error: dict[str, Any] = {"code": code, "message": message}
    if fields is not None:
        error["fields"] = dict(fields)
    return {"error": error}
