"""The model's public description: its features, and the manifest saved beside the artifact.

Both web front ends build their forms, tables and JSON from these objects, so a new data set's
features appear in both apps without a line of web code changing.
"""

from __future__ import annotations

import functools
import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any


def format_time(moment: datetime) -> str:
    """UTC, ISO 8601 with microseconds and `Z` (the manifest's `trained_at`, every stored time);
    a naive time is taken to be UTC already."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def snake_name(header: str) -> str:
    """`"Sepal length (cm)"` → `"sepal_length"`: a name that is a safe form field and JSON key."""
    without_unit = re.sub(r"\(.*?\)", "", header)
    name = re.sub(r"[^0-9a-zA-Z]+", "_", without_unit).strip("_").lower()
    if not name or name[0].isdigit():
        name = f"f_{name}"
    return name


@dataclass(frozen=True)
class Feature:
    """One input the model needs, with the range a request is allowed to send."""

    name: str
    label: str
    unit: str
    min: float
    max: float
    description: str = ""

    @property
    def min_text(self) -> str:
        return f"{self.min:g}"

    @property
    def max_text(self) -> str:
        return f"{self.max:g}"

    @property
    def range_text(self) -> str:
        return f"from {self.min_text} to {self.max_text}"

    @property
    def label_with_unit(self) -> str:
        return f"{self.label} ({self.unit})" if self.unit else self.label


@dataclass(frozen=True)
class Manifest:
    """What the JSON file beside the joblib artifact says about it (docs/spec.md, section 2)."""

    name: str
    dataset: str
    task: str
    classes: tuple[str, ...]
    features: tuple[Feature, ...]
    metrics: dict[str, Any]
    sklearn_version: str
    trained_at: str
    sha256: str
    examples: tuple[dict[str, Any], ...]
    estimator: str = ""
    seed: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @functools.cached_property
    def feature_names(self) -> tuple[str, ...]:
        """The features' names, in the order the model takes them."""
        return tuple(f.name for f in self.features)

    @property
    def version(self) -> str:
        """The short id stored with every prediction: the first 12 hex digits of the SHA-256."""
        return self.sha256[:12]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["classes"] = list(self.classes)
        data["features"] = [asdict(f) for f in self.features]
        data["examples"] = list(self.examples)
        data.pop("extra")
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Manifest:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        known["classes"] = tuple(str(c) for c in data["classes"])
        known["features"] = tuple(Feature(**f) for f in data["features"])
        known["examples"] = tuple(data.get("examples", ()))
        return cls(**known)

    @property
    def confusion_rows(self) -> list[tuple[str, list[int]]]:
        """The confusion matrix as (true class, counts per predicted class) pairs, for tables."""
        return list(zip(self.classes, self.metrics["confusion_matrix"], strict=True))

    @property
    def csv_header(self) -> str:
        """The header row a CSV upload needs: the feature names, comma-separated."""
        return ",".join(f.name for f in self.features)

    def example_for(self, label: str) -> dict[str, float] | None:
        """The real training row shown by the "try an example" link of one class."""
        for example in self.examples:
            if example["class"] == label:
                return dict(example["features"])
        return None
