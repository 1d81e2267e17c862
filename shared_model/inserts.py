"""Writing new predictions: one multi-row INSERT through the database driver, for both apps.

An ORM builds, tracks and flushes one Python object per row. That is what a page that changes one
row wants, but for new predictions it is most of the cost: about 0.3 ms for one row and 60 ms for a
batch of 1,000 in either ORM, against 2 ms for the same batch through the driver (the benchmark's
profile, benchmarks/README.md). So both apps write new predictions here, through their ORM's
connection, and read them back through the ORM everywhere else: history, detail pages, feedback,
the admin and migrations all stay ORM code.

Each app supplies what only it knows: its table's name, its driver's placeholder (`?` or `%s`), and
`created_at` as its ORM would store it (the ORMs keep timestamps in SQLite as different text).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .predictor import Predictions, Predictor
from .schema import format_time

COLUMNS = (
    "created_at",
    "source",
    "model_name",
    "model_version",
    "features",
    "label",
    "probabilities",
    "feedback_comment",
)
ROWS_PER_STATEMENT = 1000  # 8,000 parameters: within SQLite's 32,766 and PostgreSQL's 65,535


Execute = Callable[[str, Sequence[object]], Sequence[Sequence[Any]]]
"""Runs one SQL statement with its parameters through the app's database layer; returns its rows."""


@functools.cache
def _json_template(keys: tuple[str, ...]) -> str:
    """A %-template that writes a mapping of these keys to floats exactly as `json.dumps` does.

    `%r` of a Python float is `float.__repr__`, which is what the json module writes; the values
    are finite (validated inputs, probabilities), so NaN never needs refusing here.
    """
    pairs = (json.dumps(k, ensure_ascii=False).replace("%", "%%") + ": %r" for k in keys)
    return "{" + ", ".join(pairs) + "}"


@dataclass(frozen=True)
class NewPredictions:
    """A batch of predictions about to be stored: each column's values, the JSON already written.

    The same JSON text is stored and sent back in the API's answer, so each number is formatted
    once.
    """

    source: str
    created_at: datetime
    model_name: str
    model_version: str
    features: list[str]
    labels: list[str]
    probabilities: list[str]

    @classmethod
    def of(cls, predictions: Predictions, model: Predictor, source: str) -> NewPredictions:
        features = _json_template(tuple(f.name for f in model.features))
        probabilities = _json_template(tuple(model.classes))
        return cls(
            source=source,
            created_at=datetime.now(UTC),
            model_name=model.name,
            model_version=model.version,
            features=[features % tuple(row) for row in predictions.X.tolist()],
            labels=list(predictions.labels),
            probabilities=[probabilities % tuple(row) for row in predictions.proba.tolist()],
        )

    def __len__(self) -> int:
        return len(self.labels)

    def parameters(self, start: int, stop: int, created_at: object) -> list[object]:
        """The flat parameter list of rows [start, stop), in `COLUMNS` order."""
        fixed = (created_at, self.source, self.model_name, self.model_version)
        values: list[object] = []
        for features, label, probabilities in zip(
            self.features[start:stop],
            self.labels[start:stop],
            self.probabilities[start:stop],
            strict=True,
        ):
            values += (*fixed, features, label, probabilities, "")
        return values

    def payload_json(self, ids: Sequence[int]) -> list[str]:
        """Each new prediction as the API's JSON object (contract §3), written without building
        dictionaries; equal, byte for byte, to `dumps(prediction_payload(row))` of the stored row."""
        head = (
            '{"id": %d, "created_at": '
            + json.dumps(format_time(self.created_at))
            + ', "source": '
            + json.dumps(self.source)
            + ', "model": '
            + json.dumps(
                {"name": self.model_name, "version": self.model_version}, ensure_ascii=False
            )
            + ', "features": '
        )
        labels = {label: json.dumps(label, ensure_ascii=False) for label in set(self.labels)}
        return [
            f'{head % row_id}{features}, "label": {labels[label]}, "probabilities": {probabilities}, "feedback": null}}'
            for row_id, features, label, probabilities in zip(
                ids, self.features, self.labels, self.probabilities, strict=True
            )
        ]


@dataclass(frozen=True)
class StoredBatch:
    """New predictions after the INSERT: the batch and the ids the database gave its rows."""

    batch: NewPredictions
    ids: list[int]

    def prediction_json(self) -> str:
        """The body of `POST /predict`: the one new prediction."""
        [text] = self.batch.payload_json(self.ids)
        return text

    def batch_json(self) -> str:
        """The body of `POST /predict/batch`: `{"predictions": [...]}`, in the batch's order."""
        return '{"predictions": [' + ", ".join(self.batch.payload_json(self.ids)) + "]}"


def insert_statement(table: str, rows: int, placeholder: str) -> str:
    group = "(" + ", ".join([placeholder] * len(COLUMNS)) + ")"
    values = ", ".join([group] * rows)
    return f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES {values} RETURNING id"


def insert(
    execute: Execute, table: str, batch: NewPredictions, placeholder: str, created_at: object
) -> StoredBatch:
    """Insert the batch (the caller owns the transaction); the new ids come in the batch's order.

    `execute` is the app's own way to run SQL, so that database errors reach the app as its
    framework's errors; `table` is the quoted table name; `created_at` is the batch's time as
    the ORM stores it.

    SQLite and PostgreSQL number the rows of one INSERT in the order of its VALUES, but do not
    promise to return them in that order, hence the sort.
    """
    ids: list[int] = []
    for start in range(0, len(batch), ROWS_PER_STATEMENT):
        stop = min(start + ROWS_PER_STATEMENT, len(batch))
        sql = insert_statement(table, stop - start, placeholder)
        ids += sorted(row[0] for row in execute(sql, batch.parameters(start, stop, created_at)))
    return StoredBatch(batch, ids)
