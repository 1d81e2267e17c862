"""The JSON shapes of contract §3, built once for both apps from what they store."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from .schema import Manifest


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


SOURCES = ("api", "form", "csv")


def format_time(moment: datetime) -> str:
    """UTC, ISO 8601 with microseconds and `Z`; a naive time is taken to be UTC already."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def feedback_payload(row: StoredPrediction) -> dict[str, Any] | None:
    if row.feedback_label is None or row.feedback_at is None:
        return None
    return {
        "true_label": row.feedback_label,
        "correct": bool(row.feedback_correct),
        "comment": row.feedback_comment or "",
        "at": format_time(row.feedback_at),
    }


def _ordered(values: Mapping[str, float], order: Sequence[str]) -> dict[str, float]:
    """Keys in the model's order (a database may not keep them), any others after them."""
    ordered = {k: values[k] for k in order if k in values}
    ordered.update((k, v) for k, v in values.items() if k not in ordered)
    return ordered


def prediction_payload(row: StoredPrediction, manifest: Manifest | None = None) -> dict[str, Any]:
    """The prediction object, from a stored row; with a manifest, keys follow the model's order."""
    features = dict(row.features)
    probabilities = dict(row.probabilities)
    if manifest is not None:
        features = _ordered(features, [f.name for f in manifest.features])
        probabilities = _ordered(probabilities, manifest.classes)
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


def error_payload(
    code: str, message: str, fields: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The one error shape of every `/api/` path; `fields` only for `validation_error`."""
    error: dict[str, Any] = {"code": code, "message": message}
    if fields is not None:
        error["fields"] = dict(fields)
    return {"error": error}


def dumps(payload: Any) -> bytes:
    """JSON bytes, the same in both apps to the byte (UTF-8, no NaN, keys in insertion order)."""
    return json.dumps(payload, ensure_ascii=False, allow_nan=False).encode("utf-8")
