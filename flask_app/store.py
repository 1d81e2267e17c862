"""Reading and writing predictions: the only module of the app that talks to the database."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime

from flask import abort
from sqlalchemy import Dialect, Select, func, select

from shared_model import inserts
from shared_model.predictor import Predictions
from shared_web.api_input import MAX_ID

from .extensions import current_model, db
from .models import Prediction


def save(predictions: Predictions, source: str) -> inserts.StoredBatch:
    """Store new predictions in one transaction: all of them or, on any error, none.

    One INSERT in a transaction of its own, through SQLAlchemy's Core rather than the session:
    the rows need none of the session's bookkeeping (shared_model/inserts.py says why), and
    everything that reads them afterwards uses the ORM.
    """
    batch = inserts.NewPredictions.of(predictions, current_model(), source)
    with db.engine.begin() as connection:
        dialect = connection.dialect
        return inserts.insert(
            lambda sql, parameters: connection.exec_driver_sql(sql, tuple(parameters)).all(),
            dialect.identifier_preparer.quote(Prediction.__tablename__),
            batch,
            "?" if dialect.paramstyle == "qmark" else "%s",
            as_stored(batch.created_at, dialect),
        )


def as_stored(moment: datetime, dialect: Dialect) -> object:
    """A time as SQLAlchemy writes a `created_at` for this database (SQLite keeps it as text)."""
    column_type = Prediction.__table__.c.created_at.type.dialect_impl(dialect)
    to_database = column_type.bind_processor(dialect)
    return to_database(moment) if to_database else moment


def get_many(ids: Sequence[int]) -> list[Prediction]:
    """The predictions with these ids, oldest first (the order they were stored in)."""
    return list(
        db.session.scalars(select(Prediction).where(Prediction.id.in_(ids)).order_by(Prediction.id))
    )


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
