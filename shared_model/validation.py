"""Strict validation of model input, identical for both apps (docs/spec.md#35-validation).

Each value must be a JSON number (not a string, not a boolean), finite and within the feature's
accepted range; every feature must be present and no other key may be. Errors name each bad field,
as `name` for one row and `instances[3].name` for a batch, with one sentence a person can act on.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Mapping, Sequence
from itertools import chain, repeat
from typing import Any

import numpy as np

from .schema import Feature

MAX_BATCH_ROWS = 1000

FloatArray = np.ndarray[Any, np.dtype[np.float64]]


class ValidationError(ValueError):
    """Input that breaks the schema; `fields` maps each bad field to what is wrong with it."""

    def __init__(self, fields: Mapping[str, str], message: str | None = None) -> None:
        self.fields = dict(fields)
        self.message = message or _summary(len(self.fields))
        super().__init__(self.message)


def _summary(count: int) -> str:
    if count == 1:
        return 'Fix the invalid field named in "fields" and send the request again.'
    return f'Fix the {count} invalid fields named in "fields" and send the request again.'


def missing_message(feature: Feature) -> str:
    return f"Required: a number {feature.range_text}."


def bad_value_message(feature: Feature) -> str:
    return f"Must be a number {feature.range_text}."


def unknown_message(features: Sequence[Feature]) -> str:
    return f"Unknown feature; the features are {', '.join(f.name for f in features)}."


def object_message() -> str:
    return "Must be an object that maps each feature name to a number."


def check_number(feature: Feature, value: object) -> float:
    """The value as a float, or ValueError with the field's message."""
    if type(value) not in (int, float):  # bool is a subclass of int: excluded on purpose
        raise ValueError(bad_value_message(feature))
    try:
        number = float(value)  # type: ignore[arg-type]
    except OverflowError:
        raise ValueError(bad_value_message(feature)) from None
    if not (math.isfinite(number) and feature.min <= number <= feature.max):
        raise ValueError(bad_value_message(feature))
    return number


def parse_text_value(feature: Feature, text: str | None) -> float:
    """A form field or CSV cell (text) as a float, with the same rules and messages as JSON."""
    if text is None or not text.strip():
        raise ValueError(missing_message(feature))
    try:
        number = float(text.strip())
    except ValueError:
        raise ValueError(bad_value_message(feature)) from None
    return check_number(feature, number)


def row_errors(features: Sequence[Feature], row: object, prefix: str = "") -> dict[str, str]:
    """Every problem of one feature mapping, keyed by field name (with `prefix` for batches)."""
    if not isinstance(row, Mapping):
        return {prefix.rstrip(".") or "features": object_message()}
    errors: dict[str, str] = {}
    for feature in features:
        if feature.name not in row:
            errors[prefix + feature.name] = missing_message(feature)
            continue
        try:
            check_number(feature, row[feature.name])
        except ValueError as exc:
            errors[prefix + feature.name] = str(exc)
    names = {f.name for f in features}
    for key in row:
        if key not in names:
            errors[prefix + str(key)] = unknown_message(features)
    return errors


def validate_features(features: Sequence[Feature], row: object) -> FloatArray:
    """One feature mapping as a 1×n array in schema order, or ValidationError."""
    errors = row_errors(features, row)
    if errors:
        raise ValidationError(errors)
    assert isinstance(row, Mapping)
    return np.array([[float(row[f.name]) for f in features]], dtype=np.float64)


def _fast_array(features: Sequence[Feature], instances: list[Any]) -> FloatArray | None:
    """The batch as an array if every row is right, else None; C-level loops only."""
    names = [f.name for f in features]
    try:
        # Every row holds as many keys as there are features, and each feature is found:
        # so no key is missing and none is unknown.
        if set(map(len, instances)) != {len(names)}:
            return None
        values = list(map(operator.itemgetter(*names), instances))
    except (TypeError, KeyError, IndexError):  # a row that is not a mapping, or lacks a feature
        return None
    if not all(map(isinstance, instances, repeat(dict))):
        return None
    if len(names) == 1:
        values = [(v,) for v in values]
    if not set(map(type, chain.from_iterable(values))) <= {int, float}:
        return None
    try:
        array = np.fromiter(chain.from_iterable(values), np.float64, len(values) * len(names))
    except OverflowError:
        return None
    array = array.reshape(len(values), len(names))
    low = np.array([f.min for f in features])
    high = np.array([f.max for f in features])
    if np.isfinite(array).all() and (array >= low).all() and (array <= high).all():
        return array
    return None


def validate_instances(features: Sequence[Feature], instances: object) -> FloatArray:
    """A batch (1 to 1,000 mappings) as an array, validated with vectorised checks.

    The fast path checks key sets and value types per row, then range and finiteness for the whole
    array at once; only a batch that fails walks its rows again to name every bad field.
    """
    if not isinstance(instances, list) or not 1 <= len(instances) <= MAX_BATCH_ROWS:
        got = f"got {len(instances)}" if isinstance(instances, list) else "got no list"
        message = f"Must be a list of 1 to {MAX_BATCH_ROWS} feature objects; {got}."
        raise ValidationError({"instances": message})
    array = _fast_array(features, instances)
    if array is not None:
        return array
    errors: dict[str, str] = {}
    for index, row in enumerate(instances):
        errors.update(row_errors(features, row, prefix=f"instances[{index}]."))
    raise ValidationError(errors)
