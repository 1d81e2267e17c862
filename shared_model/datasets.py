"""Training data: the three data sets scikit-learn ships, or a CSV file of your own.

Every source ends up as the same `TrainingData`, with feature names safe for HTML forms and JSON,
human labels and units, and an accepted input range derived from the data.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .schema import Feature, snake_name

BUILTIN_DATASETS = ("iris", "wine", "breast_cancer")

_WINE_UNITS = {
    "alcohol": ("Alcohol", "% vol"),
    "malic_acid": ("Malic acid", "g/L"),
    "ash": ("Ash", "g/L"),
    "alcalinity_of_ash": ("Alcalinity of ash", ""),
    "magnesium": ("Magnesium", "mg/L"),
    "total_phenols": ("Total phenols", ""),
    "flavanoids": ("Flavanoids", ""),
    "nonflavanoid_phenols": ("Nonflavanoid phenols", ""),
    "proanthocyanins": ("Proanthocyanins", ""),
    "color_intensity": ("Colour intensity", ""),
    "hue": ("Hue", ""),
    "od280_od315_of_diluted_wines": ("OD280/OD315 of diluted wines", ""),
    "proline": ("Proline", "mg/L"),
}


class DataError(ValueError):
    """Training data that cannot be used; the message is one line that names the culprit."""


@dataclass(frozen=True)
class TrainingData:
    name: str
    dataset: str
    X: np.ndarray[Any, np.dtype[np.float64]]
    y: np.ndarray[Any, np.dtype[np.str_]]
    features: tuple[Feature, ...]
    classes: tuple[str, ...]


def label_and_unit(header: str) -> tuple[str, str]:
    """Split `"sepal length (cm)"` into `("Sepal length", "cm")`."""
    match = re.fullmatch(r"\s*(.*?)\s*\(([^()]*)\)\s*", header)
    label, unit = (match.group(1), match.group(2)) if match else (header.strip(), "")
    label = re.sub(r"[_\s]+", " ", label).strip()
    return (label[:1].upper() + label[1:], unit.strip())


def _nice_step(span: float) -> float:
    if span <= 0 or not math.isfinite(span):
        return 1.0
    return float(10 ** math.floor(math.log10(span)))


def accepted_range(column: np.ndarray[Any, np.dtype[np.float64]]) -> tuple[float, float]:
    """A range wider than the data by its own span on each side, rounded outward to a round step.

    A feature that is never negative in the data never accepts a negative value.
    """
    low, high = float(column.min()), float(column.max())
    span = high - low or abs(high) or 1.0
    step = _nice_step(span)
    lo = math.floor((low - span) / step) * step
    hi = math.ceil((high + span) / step) * step
    if low >= 0:
        lo = max(lo, 0.0)
    return (round(lo, 10), round(hi, 10))


def _features(headers: list[str], X: np.ndarray[Any, np.dtype[np.float64]]) -> tuple[Feature, ...]:
    names = [snake_name(h) for h in headers]
    clashes = [n for n, count in Counter(names).items() if count > 1]
    if clashes:
        raise DataError(f"Columns {', '.join(repr(n) for n in clashes)} clash after renaming.")
    features = []
    for index, (header, name) in enumerate(zip(headers, names, strict=True)):
        label, unit = _WINE_UNITS.get(name) or label_and_unit(header)
        lo, hi = accepted_range(X[:, index])
        features.append(Feature(name, label, unit, lo, hi, description=f"Column {header!r}."))
    return tuple(features)


def load_builtin(name: str) -> TrainingData:
    """One of scikit-learn's bundled data sets (no download needed)."""
    from sklearn import datasets as sk_datasets  # imported when used: the CLI starts faster

    loaders: dict[str, Callable[..., Any]] = {
        "iris": sk_datasets.load_iris,
        "wine": sk_datasets.load_wine,
        "breast_cancer": sk_datasets.load_breast_cancer,
    }
    if name not in loaders:
        raise DataError(f"Unknown data set {name!r}; choose one of {', '.join(BUILTIN_DATASETS)}.")
    bunch = loaders[name]()
    X = np.asarray(bunch.data, dtype=np.float64)
    classes = tuple(str(c) for c in bunch.target_names)
    y = np.array([classes[i] for i in bunch.target])
    features = _features([str(h) for h in bunch.feature_names], X)
    return TrainingData(name, name, X, y, features, classes)


def _read_csv_rows(path: Path) -> list[list[str]]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError(f"Cannot read {path}: {exc.strerror}.") from exc
    if not raw.strip():
        raise DataError(f"{path} is empty.")
    if b"\0" in raw:
        raise DataError(f"{path} is not a CSV file (it holds binary data).")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(f"{path} is not a CSV file (it is not UTF-8 text).") from exc
    try:
        rows = [row for row in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in row)]
    except csv.Error as exc:
        raise DataError(f"{path} is not a CSV file ({exc}).") from exc
    return rows


def load_csv(path: Path, target: str) -> TrainingData:
    """A CSV file with a header row, numeric feature columns and one class column."""
    rows = _read_csv_rows(path)
    header = [h.strip() for h in rows[0]]
    if target not in header:
        raise DataError(f"{path} has no column {target!r}; its columns are: {', '.join(header)}.")
    if len(header) < 2:
        raise DataError(f"{path} has no feature column beside {target!r}.")
    duplicates = [h for h, count in Counter(header).items() if count > 1]
    if duplicates:
        raise DataError(f"{path} has the column {duplicates[0]!r} more than once.")
    body = rows[1:]
    if not body:
        raise DataError(f"{path} has a header row but no data rows.")
    target_index = header.index(target)
    feature_headers = [h for i, h in enumerate(header) if i != target_index]
    values: list[list[float]] = []
    labels: list[str] = []
    for line, row in enumerate(body, start=2):
        if len(row) != len(header):
            raise DataError(f"Row {line} has {len(row)} cells; the header has {len(header)}.")
        numbers = []
        for i, cell in enumerate(row):
            if i == target_index:
                continue
            column = header[i]
            try:
                number = float(cell)
            except ValueError:
                raise DataError(
                    f"Column {column!r}, row {line}: {cell!r} is not a number "
                    "(feature columns must be numeric)."
                ) from None
            if not math.isfinite(number):
                raise DataError(f"Column {column!r}, row {line}: {cell!r} is not a finite number.")
            numbers.append(number)
        label = row[target_index].strip()
        if not label:
            raise DataError(f"Column {target!r}, row {line} is empty.")
        values.append(numbers)
        labels.append(label)
    counts = Counter(labels)
    if len(counts) < 2:
        raise DataError(f"Column {target!r} has only one class; a classifier needs two or more.")
    for label, count in sorted(counts.items()):
        if count < 2:
            raise DataError(
                f"Class {label!r} of column {target!r} has only {count} row; each class needs 2 or more."
            )
    X = np.asarray(values, dtype=np.float64)
    classes = tuple(sorted(counts))
    features = _features(feature_headers, X)
    return TrainingData(path.stem, f"csv:{path.name}", X, np.array(labels), features, classes)
