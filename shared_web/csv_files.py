"""CSV in and out of the web apps: the batch upload (`/batch`) and the history export (docs/spec.md,
section 4).

An upload is checked whole before anything is predicted or stored, and every problem names the
row and column a person has to fix, counting rows as a spreadsheet shows them (the header is row 1).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence

from shared_model.schema import Feature, format_time
from shared_model.validation import MAX_BATCH_ROWS, parse_text_value

from .payloads import StoredPrediction


class CsvUploadError(ValueError):
    """An uploaded file that cannot be predicted; the message names the row and column."""


EMPTY_FILE_MESSAGE = "The file is empty: upload a CSV file with a header row and 1 to 1,000 rows."
NO_FILE_MESSAGE = "Choose a CSV file to upload."


def _decode(data: bytes) -> str:
    if not data.strip():
        raise CsvUploadError(EMPTY_FILE_MESSAGE)
    if b"\0" in data:
        raise CsvUploadError("The file is not a CSV file (it holds binary data).")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CsvUploadError("The file is not a CSV file (it is not UTF-8 text).") from None


def _check_header(header: list[str], features: Sequence[Feature]) -> None:
    names = [f.name for f in features]
    for column in header:
        if column not in names:
            raise CsvUploadError(
                f"Row 1: unknown column {column!r}; the columns are {', '.join(names)}."
            )
    missing = [n for n in names if n not in header]
    if missing:
        raise CsvUploadError(
            f"Row 1: missing column {missing[0]!r}; the columns are {', '.join(names)}."
        )
    if len(set(header)) != len(header):
        raise CsvUploadError("Row 1: a column appears more than once.")


def parse_upload(data: bytes, features: Sequence[Feature]) -> list[dict[str, float]]:
    """Rows of an uploaded CSV file as validated feature mappings, or CsvUploadError."""
    try:
        rows = [r for r in csv.reader(io.StringIO(_decode(data))) if any(c.strip() for c in r)]
    except csv.Error as exc:
        raise CsvUploadError(f"The file is not a CSV file ({exc}).") from None
    header = [h.strip() for h in rows[0]]
    _check_header(header, features)
    body = rows[1:]
    if not body:
        raise CsvUploadError("The file has a header row but no data rows: add 1 to 1,000 rows.")
    if len(body) > MAX_BATCH_ROWS:
        raise CsvUploadError(f"The file has {len(body):,} rows; the most is {MAX_BATCH_ROWS:,}.")
    by_name = {f.name: f for f in features}
    parsed = []
    for number, row in enumerate(body, start=2):
        if len(row) != len(header):
            raise CsvUploadError(
                f"Row {number} has {len(row)} cells; the header has {len(header)}."
            )
        values = {}
        for column, cell in zip(header, row, strict=True):
            try:
                values[column] = parse_text_value(by_name[column], cell)
            except ValueError as exc:
                raise CsvUploadError(f"Row {number}, column {column!r}: {exc}") from None
        parsed.append(values)
    return parsed


def history_header(features: Sequence[Feature], classes: Sequence[str]) -> list[str]:
    return [
        "id",
        "created_at",
        "source",
        *(f.name for f in features),
        "label",
        *(f"probability_{c}" for c in classes),
        "feedback_true_label",
        "feedback_correct",
        "feedback_comment",
    ]


def _spreadsheet_safe(text: str) -> str:
    """Free text a spreadsheet will not run as a formula (OWASP's CSV injection advice)."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def history_row(
    row: StoredPrediction, features: Sequence[Feature], classes: Sequence[str]
) -> list[object]:
    correct = "" if row.feedback_correct is None else str(row.feedback_correct).lower()
    return [
        row.id,
        format_time(row.created_at),
        row.source,
        *(row.features.get(f.name, "") for f in features),
        row.label,
        *(row.probabilities.get(c, "") for c in classes),
        row.feedback_label or "",
        correct,
        _spreadsheet_safe(row.feedback_comment or ""),
    ]


def stream_history(
    rows: Iterable[StoredPrediction], features: Sequence[Feature], classes: Sequence[str]
) -> Iterator[str]:
    """The history as CSV text, one line at a time, so the export never sits whole in memory."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def line(values: Sequence[object]) -> str:
        writer.writerow(values)
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield line(history_header(features, classes))
    for row in rows:
        yield line(history_row(row, features, classes))
