"""The model's public description: its features, and the manifest saved beside the artifact.

Both web front ends build their forms, tables and JSON from these objects, so a new data set's
features appear in both apps without a line of web code changing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


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
    """What the JSON file beside the joblib artifact says about it (contract §2)."""

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

    def public(self) -> dict[str, Any]:
        """The body of `GET /api/v1/model`: the manifest's public fields, in the contract's order."""
        return {
            "name": self.name,
            "version": self.version,
            "task": self.task,
            "dataset": self.dataset,
            "trained_at": self.trained_at,
            "sklearn_version": self.sklearn_version,
            "sha256": self.sha256,
            "classes": list(self.classes),
            "features": [asdict(f) for f in self.features],
            "metrics": self.metrics,
            "examples": list(self.examples),
        }

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
