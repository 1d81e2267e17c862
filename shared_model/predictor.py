"""A loaded model that validates and predicts; one instance serves every request of a process.

Nothing here mutates the fitted estimator, and scikit-learn's `predict_proba` only reads it, so
one `Predictor` is safe to share between threads (gunicorn threads, Django's and Flask's dev servers).

Validating and predicting are spans of the caller's trace (docs/spec.md#103-traces), made through
the OpenTelemetry API only, as a library should: without an SDK set up they cost next to nothing,
and with one they land in whatever provider the app configured.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from time import perf_counter
from typing import Any, NamedTuple, overload

import numpy as np
from opentelemetry import trace
from opentelemetry.util.types import AttributeValue

from .schema import Feature, Manifest
from .validation import FloatArray, validate_features, validate_instances

tracer = trace.get_tracer(__name__)


class Outcome(NamedTuple):
    """One row's prediction: its validated input, the label and each class's probability."""

    features: dict[str, float]
    label: str
    probabilities: dict[str, float]


class Predictions(Sequence[Outcome]):
    """The result of one vectorised `predict_proba` call, turned into `Outcome`s only when read.

    A batch's arrays are computed at once; the per-row dictionaries (needed to store and answer)
    are built as the rows are read, so nothing is built twice. `seconds` is how long validating
    (where the `Predictor` validated) and predicting took: the apps' `model_predict_seconds`.
    """

    def __init__(self, model: Predictor, X: FloatArray, started: float | None = None) -> None:
        started = perf_counter() if started is None else started
        self.X = X
        self.proba = model.probabilities(X)
        self.labels: list[str] = np.asarray(model.classes)[self.proba.argmax(axis=1)].tolist()
        self._names = [f.name for f in model.features]
        self._classes = model.classes
        self.seconds = perf_counter() - started

    def __len__(self) -> int:
        return len(self.labels)

    @overload
    def __getitem__(self, index: int) -> Outcome: ...
    @overload
    def __getitem__(self, index: slice) -> list[Outcome]: ...
    def __getitem__(self, index: int | slice) -> Outcome | list[Outcome]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        return Outcome(
            dict(zip(self._names, self.X[index].tolist(), strict=True)),
            self.labels[index],
            dict(zip(self._classes, self.proba[index].tolist(), strict=True)),
        )

    def __iter__(self) -> Iterator[Outcome]:
        names, classes = self._names, self._classes
        for row, label, p in zip(self.X.tolist(), self.labels, self.proba.tolist(), strict=True):
            yield Outcome(
                dict(zip(names, row, strict=True)), label, dict(zip(classes, p, strict=True))
            )


class Predictor:
    """A fitted estimator and its manifest: validates input against the schema and predicts.

    (Named apart from the ORMs' `Model` classes, which are database tables.)
    """

    def __init__(self, estimator: Any, manifest: Manifest) -> None:
        self.estimator = estimator
        self.manifest = manifest
        fitted = [str(c) for c in estimator.classes_]
        self._columns = np.array([fitted.index(c) for c in manifest.classes])
        self._names = [f.name for f in manifest.features]
        self._span_attributes: dict[str, AttributeValue] = {
            "model.name": manifest.name,
            "model.version": manifest.version,
        }

    @property
    def name(self) -> str:
        return self.manifest.name

    @property
    def version(self) -> str:
        return self.manifest.version

    @property
    def classes(self) -> tuple[str, ...]:
        return self.manifest.classes

    @property
    def features(self) -> tuple[Feature, ...]:
        return self.manifest.features

    def probabilities(self, X: FloatArray) -> FloatArray:
        """Class probabilities for each row of X, columns in the manifest's class order."""
        proba: FloatArray = self.estimator.predict_proba(X)
        return proba[:, self._columns]

    def predict_array(self, X: FloatArray, started: float | None = None) -> Predictions:
        """Predict every row of an already validated array in one vectorised call; `started`
        is when validating it began, if it is part of the time to report."""
        attributes: dict[str, AttributeValue] = {**self._span_attributes, "model.rows": len(X)}
        with tracer.start_as_current_span("predict", attributes=attributes):
            return Predictions(self, X, started)

    def _validated(
        self, validate: Callable[[Sequence[Feature], object], FloatArray], data: object
    ) -> FloatArray:
        """`validate(features, data)` as a span that counts the rows it let through."""
        with tracer.start_as_current_span("validate", attributes=self._span_attributes) as span:
            X = validate(self.features, data)
            span.set_attribute("model.rows", len(X))
        return X

    def predict(self, features: object) -> Outcome:
        """Validate one feature mapping and predict it; raises ValidationError."""
        return self.predict_one(features)[0]

    def predict_one(self, features: object) -> Predictions:
        """`predict`, as a batch of one: the form in which predictions are stored."""
        started = perf_counter()
        return self.predict_array(self._validated(validate_features, features), started)

    def predict_batch(self, instances: object) -> Predictions:
        """Validate a list of 1 to 1,000 mappings and predict them all in one call."""
        started = perf_counter()
        return self.predict_array(self._validated(validate_instances, instances), started)

    def predict_rows(self, rows: Sequence[dict[str, float]]) -> Predictions:
        """Predict mappings that are already validated (e.g. parsed from a form or a CSV file)."""
        X = np.array([[row[n] for n in self._names] for row in rows], dtype=np.float64)
        return self.predict_array(X)
