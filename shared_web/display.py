"""How stored predictions look on both apps' pages: template filters and the rows a page shows.

Both apps register these functions as template filters (Jinja's `add_template_filter`, Django's
template `builtins`), so a number or a time reads the same on every page of either app.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from shared_model.schema import Feature, Manifest

from .payloads import StoredPrediction


def display_time(moment: datetime) -> str:
    """A stored time as pages show it: `2026-11-24 14:15:15 UTC`."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def number(value: float | None) -> str:
    """A stored number as pages show it: Python's shortest exact form (`5.1`, `1e-05`)."""
    return "–" if value is None else repr(float(value))


def share(value: float) -> str:
    """A probability as a `<meter value>`: four decimals are more than a bar can show."""
    return f"{value:.4f}"


def percent(share: float | None) -> str:
    """A share as pages show it: `98.1%`."""
    return "–" if share is None else f"{share * 100:.1f}%"


@dataclass(frozen=True)
class PredictionDisplay:
    """A stored prediction laid out for a page: inputs and probabilities in the model's order.

    Templates of both apps loop over these pairs the same way (`{% for a, b in pairs %}` is
    valid Jinja and Django template syntax alike), whatever order the database kept.
    """

    row: StoredPrediction
    inputs: list[tuple[Feature, float | None]]
    probabilities: list[tuple[str, float]]


def prediction_display(row: StoredPrediction, manifest: Manifest) -> PredictionDisplay:
    inputs = [(f, row.features.get(f.name)) for f in manifest.features]
    probabilities = [(c, row.probabilities[c]) for c in manifest.classes if c in row.probabilities]
    return PredictionDisplay(row, inputs, probabilities)
