"""Fitting the classifier and measuring it, reproducibly: the same seed gives the same metrics."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, confusion_matrix
from sklearn.model_selection import StratifiedKFold, cross_val_score, train_test_split
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from .datasets import DataError, TrainingData
from .schema import format_time

TEST_SHARE = 0.25
CV_FOLDS = 5


@dataclass(frozen=True)
class TrainedModel:
    """A fitted pipeline and everything the manifest says about it, but its SHA-256 (known once saved)."""

    estimator: Pipeline
    card: dict[str, Any]


def make_estimator(seed: int) -> Pipeline:
    """Scaling, then logistic regression: fast, gives calibrated-enough probabilities, easy to explain."""
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000, random_state=seed))


def _split(data: TrainingData, seed: int) -> tuple[Any, Any, Any, Any]:
    n_classes = len(data.classes)
    n_test = max(n_classes, round(TEST_SHARE * len(data.y)))
    if len(data.y) - n_test < n_classes:
        raise DataError(
            f"{data.name} has {len(data.y)} rows: too few to hold out a test set for "
            f"{n_classes} classes."
        )
    return train_test_split(data.X, data.y, test_size=n_test, stratify=data.y, random_state=seed)  # type: ignore[no-any-return]


def _examples(data: TrainingData, X: Any, y: Any) -> list[dict[str, Any]]:
    examples = []
    for label in data.classes:
        row = X[np.flatnonzero(y == label)[0]]
        values = {f.name: float(v) for f, v in zip(data.features, row, strict=True)}
        examples.append({"class": label, "features": values})
    return examples


def train(data: TrainingData, seed: int = 42) -> TrainedModel:
    """Fit on a stratified split; report test accuracy, k-fold CV accuracy and the confusion matrix."""
    X_train, X_test, y_train, y_test = _split(data, seed)
    estimator = make_estimator(seed)
    folds = min(CV_FOLDS, min(Counter(y_train.tolist()).values()))
    cv_mean: float | None = None
    cv_std: float | None = None
    if folds >= 2:
        splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
        scores = cross_val_score(estimator, X_train, y_train, cv=splitter)
        cv_mean, cv_std = round(float(scores.mean()), 4), round(float(scores.std()), 4)
    estimator.fit(X_train, y_train)
    predicted = estimator.predict(X_test)
    classes = list(data.classes)
    matrix = confusion_matrix(y_test, predicted, labels=classes)
    card = {
        "name": data.name,
        "dataset": data.dataset,
        "task": "classification",
        "classes": classes,
        "features": data.features,
        "metrics": {
            "test_accuracy": round(float(accuracy_score(y_test, predicted)), 4),
            "cv_accuracy_mean": cv_mean,
            "cv_accuracy_std": cv_std,
            "cv_folds": folds,
            "train_rows": len(y_train),
            "test_rows": len(y_test),
            "confusion_matrix": matrix.tolist(),
        },
        "sklearn_version": sklearn.__version__,
        "trained_at": format_time(datetime.now(UTC)),
        "examples": _examples(data, X_train, y_train),
        "estimator": "StandardScaler + LogisticRegression",
        "seed": seed,
    }
    return TrainedModel(estimator, card)
