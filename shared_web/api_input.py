"""The JSON API's request rules (docs/spec.md, section 3), free of any web framework.

Each app reads the request with its own tools and hands the raw parts here; what comes back is
either clean data or an error (`ApiError`, or the model's `ValidationError`) that already knows
its status, code and message, so both apps answer every bad request with the same bytes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from shared_model.validation import ValidationError

from . import jsoncodec
from .errors import ApiError

MAX_BODY_BYTES = 1024 * 1024
COMMENT_MAX_CHARS = 500
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_ID = 2**63 - 1  # the largest id a database integer key holds; larger ones cannot exist


def parse_json_object(body: bytes, content_type: str | None) -> dict[str, Any]:
    """The body as a JSON object, or 415 (not declared JSON) / 400 `invalid_json`."""
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    if media_type != "application/json":
        raise ApiError.of(415)
    try:
        data = jsoncodec.loads(body)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ApiError.of(400, "invalid_json") from None
    if not isinstance(data, dict):
        raise ApiError.of(400, "invalid_json")
    return data


def _only_keys(
    body: Mapping[str, Any], required: Sequence[str], optional: Sequence[str] = ()
) -> None:
    allowed = [*required, *optional]
    errors = {
        key: f"Unknown key; the body holds only {', '.join(allowed)}."
        for key in body
        if key not in allowed
    }
    for key in required:
        if key not in body:
            errors[key] = "Required."
    if errors:
        raise ValidationError(errors)


def features_of(body: Mapping[str, Any]) -> object:
    """The `features` member of a predict body, which must be the body's only key."""
    if "features" not in body:
        raise ValidationError(
            {"features": "Required: an object that maps each feature name to a number."}
        )
    _only_keys(body, ["features"])
    return body["features"]


def instances_of(body: Mapping[str, Any]) -> object:
    """The `instances` member of a batch body, which must be the body's only key."""
    if "instances" not in body:
        raise ValidationError({"instances": "Required: a list of 1 to 1000 feature objects."})
    _only_keys(body, ["instances"])
    return body["instances"]


@dataclass(frozen=True)
class Feedback:
    true_label: str
    comment: str


def true_label_message(classes: Sequence[str]) -> str:
    return f"Must be one of: {', '.join(classes)}."


COMMENT_MESSAGE = f"Must be text of at most {COMMENT_MAX_CHARS} characters."


def feedback_of(body: Mapping[str, Any], classes: Sequence[str]) -> Feedback:
    """`{"true_label": CLASS, "comment": "…"}`: a known class and at most 500 characters."""
    errors: dict[str, str] = {}
    label = body.get("true_label")
    if label not in classes:
        errors["true_label"] = true_label_message(classes)
    comment = body.get("comment", "")
    if not isinstance(comment, str) or len(comment) > COMMENT_MAX_CHARS:
        errors["comment"] = COMMENT_MESSAGE
    for key in body:
        if key not in ("true_label", "comment"):
            errors[key] = "Unknown key; the body holds only true_label, comment."
    if errors:
        raise ValidationError(errors)
    return Feedback(str(label), comment)


def _bounded_int(name: str, values: Sequence[str], default: int, low: int, high: int | None) -> int:
    if not values:
        return default
    if len(values) > 1:
        raise ApiError(400, "invalid_parameter", f"Give {name} once, not {len(values)} times.")
    value = values[0]
    if re.fullmatch(r"[0-9]{1,9}", value) and low <= int(value) <= (
        high if high is not None else 10**9
    ):
        return int(value)
    upper = f"from {low} to {high}" if high is not None else f"of {low} or more"
    raise ApiError(
        400, "invalid_parameter", f"{name} must be a whole number {upper}; got {value!r}."
    )


def page_params(query: Mapping[str, Sequence[str]]) -> tuple[int, int]:
    """`limit` (1..100, default 20) and `offset` (≥ 0, default 0) from the query string, given as
    each parameter's list of values; any other parameter is refused, as unknown body keys are."""
    for name in query:
        if name not in ("limit", "offset"):
            raise ApiError(
                400,
                "invalid_parameter",
                f"Unknown parameter {name!r}; this address takes only limit and offset.",
            )
    return (
        _bounded_int("limit", query.get("limit", ()), DEFAULT_LIMIT, 1, MAX_LIMIT),
        _bounded_int("offset", query.get("offset", ()), 0, 0, None),
    )
