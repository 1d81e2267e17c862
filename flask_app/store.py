"""Reading and writing predictions: the only module of the app that talks to the database."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

from flask import abort
from sqlalchemy import Select, func, select

from shared_model import Outcome
from shared_model.api import MAX_ID

from .extensions import current_model, db
from .models import Prediction


def save(outcomes: Iterable[Outcome], source: str) -> list[Prediction]:
    """Store predictions in one transaction: all of them or, on any error, none."""
    model = current_model()
    rows = [Prediction(**model.row(outcome, source)) for outcome in outcomes]
    db.session.add_all(rows)
    db.session.commit()
    return rows


def get_or_404(prediction_id: int) -> Prediction:
    if prediction_id > MAX_ID:
        abort(404)
    return db.get_or_404(Prediction, prediction_id)


def newest_first() -> Select[tuple[Prediction]]:
    """Newest first, by id: the primary key's index makes every page and count cheap."""
    return select(Prediction).order_by(Prediction.id.desc())


def page(limit: int, offset: int) -> tuple[int, list[Prediction]]:
    count = db.session.scalar(select(func.count()).select_from(Prediction)) or 0
    rows = db.session.scalars(newest_first().limit(limit).offset(offset)).all()
    return count, list(rows)


def stream_all() -> Iterator[Prediction]:
    """Every prediction, fetched in chunks so that an export never loads the table at once."""
    yield from db.session.scalars(newest_first().execution_options(yield_per=500))


def record_feedback(row: Prediction, true_label: str, comment: str) -> Prediction:
    """Say whether a prediction was right; a second call replaces the first."""
    row.feedback_label = true_label
    row.feedback_correct = true_label == row.label
    row.feedback_comment = comment
    row.feedback_at = datetime.now(UTC)
    db.session.commit()
    return row


def feedback_stats() -> tuple[int, int]:
    """How many predictions have feedback, and how many of those were right."""
    given = Prediction.feedback_label.is_not(None)
    total = db.session.scalar(select(func.count()).where(given)) or 0
    right = db.session.scalar(select(func.count()).where(given, Prediction.feedback_correct)) or 0
    return total, right


def ping() -> None:
    """A cheap query that fails if the database (or its table) is not usable."""
    db.session.scalar(select(Prediction.id).limit(1))
