"""The database: Flask-SQLAlchemy and Flask-Migrate set up for the app, and every query and write
of the predictions (docs/spec.md#72-writing-and-reading), each one limited to what the `Viewer`
may see (docs/spec.md#94-ownership). `accounts_store.py` holds the queries of accounts, tokens,
sessions and limits; no other module runs SQL."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask
from flask_sqlalchemy.pagination import Pagination
from opentelemetry import trace
from sqlalchemy import ColumnElement, Row, Select, event, false, func, insert, select, true, update
from sqlalchemy.engine import make_url

from shared_model.predictor import Predictions
from shared_web.payloads import VersionStats, new_prediction_fields
from shared_web.sqlite import PRAGMAS

from .extensions import current_model, db, migrate
from .metrics import model_metrics
from .models import Prediction

MIGRATIONS = Path(__file__).with_name("migrations")
HISTORY_PAGE_SIZE = 20

tracer = trace.get_tracer(__name__)


def init_app(app: Flask) -> None:
    """Bind the database to the app; a SQLite file gets its folder, and every connection the
    settings of docs/spec.md#73-sqlite (Django sets the same ones)."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite" and url.database:
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS))
    with app.app_context():
        event.listen(db.engine, "connect", _tune_sqlite)


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        for pragma in PRAGMAS:
            dbapi_connection.execute(f"PRAGMA {pragma}")


@dataclass(frozen=True)
class Viewer:
    """Who is asking (docs/spec.md#94-ownership): an account (`user_id`; staff see every
    prediction), or an anonymous visitor (`visitor`, the id in their session; None before their
    first prediction, and for the API without a token)."""

    user_id: int | None = None
    staff: bool = False
    visitor: str | None = None

    def owner_fields(self) -> dict[str, Any]:
        """Whose a new prediction is: the account's, else the visitor's, else no one's."""
        if self.user_id is not None:
            return {"owner_id": self.user_id, "visitor": None}
        return {"owner_id": None, "visitor": self.visitor}

    def sees(self) -> ColumnElement[bool]:
        """The predictions this viewer may see, as a WHERE clause."""
        if self.staff:
            return true()
        if self.user_id is not None:
            return Prediction.owner_id == self.user_id
        if self.visitor is not None:
            return (Prediction.visitor == self.visitor) & Prediction.owner_id.is_(None)
        return false()


# Writing


@tracer.start_as_current_span("store")
def add(prediction: Predictions, source: str, viewer: Viewer) -> Prediction:
    """Store one new prediction (a batch of one), the ORM's ordinary way, and count it
    (docs/spec.md#101-metrics)."""
    [outcome] = prediction
    model = current_model()
    row = Prediction(**new_prediction_fields(outcome, source, model), **viewer.owner_fields())
    db.session.add(row)
    db.session.commit()
    model_metrics().predicted(model.version, source, prediction.labels, prediction.seconds)
    return row


@tracer.start_as_current_span("store")
def add_all(predictions: Predictions, source: str, viewer: Viewer) -> Sequence[Row[Any]]:
    """Store a batch in one transaction, all of it or, on any error, none; the stored rows come
    back in the batch's order, as SQLAlchemy `Row`s with the table's columns.

    Through SQLAlchemy Core, not the ORM: the ORM's bulk INSERT costs more than all the rest of
    a 1,000-row request (parse, validate, predict, JSON out: 11 ms). CPU time per 100 / 1,000
    rows on SQLite (a temporary file with shared_web.sqlite's PRAGMAS, JSON columns through
    orjson, `expire_on_commit=False`; medians of interleaved runs on a busy 2-core machine):

    - ORM, `insert(Prediction).returning(Prediction)`: 2.5 / 22 ms, a third of it spent building
      `Prediction` objects that nothing needs;
    - Core, `insert(table).values([...]).returning(...)`: 8 / 84 ms, the slowest: SQLAlchemy
      compiles a new statement with one bound parameter per value (8,000) every time;
    - Core, `insert(table).returning(...)` with the rows as a list of parameters (this one):
      1.7 / 15.5 ms. SQLAlchemy sends them as one multi-row INSERT ("insertmanyvalues"), every
      value a bound parameter.

    The rows come back sorted by id, which is the batch's order: a database numbers the rows of
    one INSERT in the order of its VALUES. Asking SQLAlchemy to guarantee the order instead
    (`sort_by_parameter_order=True`) makes it send one INSERT per row on SQLite, which cannot
    promise the order of RETURNING: 56 ms per 1,000 rows (benchmarks/README.md).

    One new prediction goes through the ORM's `session.add` (`add`): 0.3 ms.
    """
    table, model, owner = Prediction.__table__, current_model(), viewer.owner_fields()
    new = [{**new_prediction_fields(outcome, source, model), **owner} for outcome in predictions]
    stored = sorted(db.session.execute(insert(table).returning(*table.c), new), key=lambda r: r.id)
    db.session.commit()
    model_metrics().predicted(model.version, source, predictions.labels, predictions.seconds)
    return stored


def record_feedback(row: Prediction, true_label: str, comment: str) -> Prediction:
    """Say whether a prediction was right; a second call replaces the first."""
    row.feedback_label = true_label
    row.feedback_correct = true_label == row.label
    row.feedback_comment = comment
    row.feedback_at = datetime.now(UTC)
    db.session.commit()
    model_metrics().feedback(row.model_version, row.feedback_correct)
    return row


def claim_visitor_predictions(visitor: str, user_id: int) -> None:
    """Give an account the predictions its visitor made before logging in or signing up."""
    unowned = (Prediction.visitor == visitor) & Prediction.owner_id.is_(None)
    db.session.execute(update(Prediction).where(unowned).values(owner_id=user_id))
    db.session.commit()


# Reading


def get_or_404(prediction_id: int, viewer: Viewer) -> Prediction:
    """The prediction, if the viewer may see it; any other id is a 404, never a 403: an id
    reveals nothing (docs/spec.md#94-ownership)."""
    mine = select(Prediction).where(Prediction.id == prediction_id, viewer.sees())
    return db.one_or_404(mine)


def newest_first(viewer: Viewer) -> Select[Prediction]:
    """The viewer's predictions, newest first, by id: the primary key's index makes every page
    and count cheap."""
    return select(Prediction).where(viewer.sees()).order_by(Prediction.id.desc())


def history_page(viewer: Viewer) -> Pagination:
    """The history page named by `?page=` (Flask-SQLAlchemy reads it; not a number, or out of
    range, is a 404, but page 1 of an empty history exists), 20 predictions a page. Given
    `per_page`, Flask-SQLAlchemy ignores a `?per_page=` in the request."""
    return db.paginate(newest_first(viewer), per_page=HISTORY_PAGE_SIZE, error_out=True)


def page(limit: int, offset: int, viewer: Viewer) -> tuple[int, list[Prediction]]:
    """The API's list: the count of the viewer's predictions and one page of them."""
    visible = select(func.count()).select_from(Prediction).where(viewer.sees())
    count = db.session.scalar(visible) or 0
    rows = db.session.scalars(newest_first(viewer).limit(limit).offset(offset)).all()
    return count, list(rows)


def stream_all(viewer: Viewer) -> Iterator[Prediction]:
    """The viewer's predictions, fetched in chunks so that an export never loads them at once."""
    yield from db.session.scalars(newest_first(viewer).execution_options(yield_per=500))


def version_stats() -> list[VersionStats]:
    """Each model version's predictions, those with feedback and those right, newest version
    first (by its newest prediction), in one grouped query over all of them: an aggregate that
    tells nothing about anyone's predictions (docs/spec.md#94-ownership)."""
    counts = (
        select(
            Prediction.model_version,
            func.count(),
            func.count().filter(Prediction.feedback_label.is_not(None)),
            func.count().filter(Prediction.feedback_correct.is_(True)),
        )
        .group_by(Prediction.model_version)
        .order_by(func.max(Prediction.id).desc())
    )
    return [VersionStats._make(row) for row in db.session.execute(counts)]


def ping() -> None:
    """A cheap query that fails if the database (or its table) is not usable."""
    db.session.scalar(select(Prediction.id).limit(1))
