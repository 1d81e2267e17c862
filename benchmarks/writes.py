"""Writing new predictions on SQLite: each ORM against the layers beneath it.

    python -m benchmarks.writes [--runs 7] [--min-time 0.2] [--sizes 1 100 1000]

Both apps store every prediction they make, so the write is part of every API request. This
times the ways an app can write 1, 100 and 1,000 new predictions, each ending with the rows
committed and their new ids in hand (what an answer needs):

- (a) Flask-SQLAlchemy's unit of work: `session.add` (1 row) or `add_all`, then `commit`;
- (b) SQLAlchemy 2's ORM bulk INSERT, `session.scalars(insert(Prediction).returning(...), rows)`:
  the ids in the rows' order (`sort_by_parameter_order=True`), whole rows in that order (what
  flask_app/store.py does), and the ids in any order, sorted afterwards;
- (c) SQLAlchemy Core: one `insert(table).values(rows).returning(table.c.id)`, and the same rows
  as an executemany, `connection.execute(insert(table).returning(table.c.id), rows)`;
  all of (a) to (c) with the Flask app's engine settings, JSON columns written by orjson
  (`json_serializer=jsoncodec.dumps_text`), and the first (c) once more with SQLAlchemy's
  default, the standard library's `json.dumps`, to price that hook;
- (d) Django's ORM: `objects.create` (1 row) or `bulk_create`, inside `transaction.atomic()`
  (its JSONField writes with the standard library's json; Django has no hook for another);
- (e) Django's `connection.cursor()`: one parameterized multi-row INSERT … RETURNING id;
- (f) the bare driver, the floor: the standard library's `sqlite3`, one parameterized multi-row
  INSERT … RETURNING id, JSON by orjson: the write of the benchmark's bare-WSGI baseline
  (`baseline_wsgi.insert`).

Every way starts from the same `Predictions` (the model's output for a request) and builds its
own rows from it, with the same values: the iris features and the three probabilities as JSON,
the label, the source, the model's name and version and the time. The apps' own tables and
models are used (`flask_app.models.Prediction`, `django_app.predictions.models.Prediction`), on
SQLite files in a temporary folder with the apps' settings (`shared_web.sqlite.PRAGMAS`: WAL,
synchronous=NORMAL). Each figure is the median of `--runs` runs, each run long enough
(`--min-time`) to hold many calls, as `timeit` does, on a table emptied before the run; the ways
take turns run by run, and the garbage collector stays on, as it is in a server. The table also
counts the INSERT statements each way sends. benchmarks/README.md has one run's figures and what
they mean.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from shared_model.artifact import load_model, save
from shared_model.datasets import load_builtin
from shared_model.predictor import Predictions, Predictor
from shared_model.training import train
from shared_web.jsoncodec import dumps_text
from shared_web.payloads import new_prediction_fields

from . import baseline_wsgi

SIZES = (1, 100, 1000)
# The columns every way writes (the others are NULL or default to NULL: no feedback yet).
COLUMNS = baseline_wsgi.COLUMNS


@dataclass(frozen=True)
class Method:
    """One way to write new predictions."""

    key: str
    title: str
    write: Callable[[Predictions], list[int]]  # stores the rows; returns their ids, in order
    count: Callable[[], int]  # rows in its table
    clear: Callable[[], None]  # empties its table
    context: Callable[[], AbstractContextManager[Any]] = contextlib.nullcontext


class InsertCounter:
    """Counts the INSERT statements SQLite runs, through the driver's trace callback, on every
    connection the ways write through; on only while a way is counted, never while it is timed."""

    def __init__(self) -> None:
        self.connections: list[sqlite3.Connection] = []
        self.inserts = 0

    def watch(self, connection: sqlite3.Connection) -> None:
        self.connections.append(connection)

    def trace(self, statement: str) -> None:
        if statement.lstrip()[:6].upper() == "INSERT":
            self.inserts += 1

    @contextlib.contextmanager
    def counting(self) -> Iterator[None]:
        self.inserts = 0
        for connection in self.connections:
            connection.set_trace_callback(self.trace)
        try:
            yield
        finally:
            for connection in self.connections:
                connection.set_trace_callback(None)


@dataclass
class Setup:
    """The databases and the objects each way writes through, for one run."""

    folder: Path
    model: Predictor
    flask_apps: dict[str, Any] = field(default_factory=dict)  # by JSON serializer
    driver: sqlite3.Connection | None = None
    inserts: InsertCounter = field(default_factory=InsertCounter)


def new_rows(predictions: Predictions, model: Predictor) -> list[dict[str, Any]]:
    """Each new prediction's column values, as both ORMs take them (the JSON as dictionaries)."""
    created_at = datetime.now(UTC)
    return [
        {
            **new_prediction_fields(outcome, "api", model),
            "created_at": created_at,
            "feedback_comment": "",
        }
        for outcome in predictions
    ]


def prepare(folder: Path) -> Setup:
    """Train the iris model into the folder and point both apps at it (before Django reads its
    settings); every database of the run is made in this folder."""
    model_path = folder / "iris.joblib"
    save(train(load_builtin("iris")), model_path)
    os.environ["MODEL_PATH"] = str(model_path)
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret")
    return Setup(folder, load_model(model_path))


# (a) to (c): Flask-SQLAlchemy, SQLAlchemy's ORM and Core

JSON_SERIALIZERS: dict[str, dict[str, Any]] = {
    # The Flask app's setting (flask_app/config.py): JSON columns written by shared_web.jsoncodec.
    "orjson hook": {"json_serializer": dumps_text},
    # SQLAlchemy's default, the standard library's json module: for reference, Core only.
    "json.dumps": {},
}


def flask_methods(setup: Setup) -> list[Method]:
    """The SQLAlchemy ways, on the Flask app's engine (its SQLite settings) and model.

    On SQLite, SQLAlchemy cannot batch an INSERT whose RETURNING must come back in the order of
    its rows (the dialect offers no "sentinel" to sort them by), so the unit of work and
    `sort_by_parameter_order=True` send one INSERT per row; without that order, its
    `insertmanyvalues` sends one INSERT for up to 1,000 rows, and the ids are sorted afterwards
    (SQLite numbers a statement's rows in order), as the driver's way does. Both are measured.
    """
    from sqlalchemy import delete, event, func, insert, select

    from flask_app import create_app
    from flask_app.extensions import db
    from flask_app.models import Prediction

    table = Prediction.__table__
    model = setup.model

    def unit_of_work(predictions: Predictions) -> list[int]:
        objects = [Prediction(**row) for row in new_rows(predictions, model)]
        if len(objects) == 1:
            db.session.add(objects[0])
        else:
            db.session.add_all(objects)
        db.session.commit()
        return [obj.id for obj in objects]

    def orm_bulk_in_order(predictions: Predictions) -> list[int]:
        statement = insert(Prediction).returning(Prediction.id, sort_by_parameter_order=True)
        ids = list(db.session.scalars(statement, new_rows(predictions, model)))
        db.session.commit()
        return ids

    def orm_bulk_objects(predictions: Predictions) -> list[int]:
        statement = insert(Prediction).returning(Prediction, sort_by_parameter_order=True)
        objects = db.session.scalars(statement, new_rows(predictions, model)).all()
        db.session.commit()
        return [obj.id for obj in objects]

    def orm_bulk(predictions: Predictions) -> list[int]:
        statement = insert(Prediction).returning(Prediction.id)
        ids = sorted(db.session.scalars(statement, new_rows(predictions, model)))
        db.session.commit()
        return ids

    def core_values(predictions: Predictions) -> list[int]:
        statement = insert(table).values(new_rows(predictions, model)).returning(table.c.id)
        with db.engine.begin() as connection:
            return sorted(connection.scalars(statement))

    def core_executemany(predictions: Predictions) -> list[int]:
        statement = insert(table).returning(table.c.id)
        with db.engine.begin() as connection:
            return sorted(connection.scalars(statement, new_rows(predictions, model)))

    def count() -> int:
        return int(db.session.scalar(select(func.count()).select_from(Prediction)) or 0)

    def clear() -> None:
        db.session.execute(delete(Prediction))
        db.session.commit()
        db.session.expunge_all()

    ways = {
        "orjson hook": (
            ("a", "(a) ORM unit of work: session.add / add_all + commit", unit_of_work),
            (
                "b",
                "(b) ORM bulk: insert(Prediction).returning(Prediction.id, sort_by_parameter_order=True)",
                orm_bulk_in_order,
            ),
            (
                "b-rows",
                "(b) the same, returning(Prediction): whole rows as ORM objects",
                orm_bulk_objects,
            ),
            (
                "b-any-order",
                "(b) the same, returning(Prediction.id) in any order, sorted after",
                orm_bulk,
            ),
            ("c", "(c) Core: insert(table).values(rows).returning(table.c.id)", core_values),
            (
                "c-executemany",
                "(c) Core, rows as executemany: insert(table).returning(table.c.id), rows; sorted (the Flask app's batch)",
                core_executemany,
            ),
        ),
        "json.dumps": (
            ("c", "(c) Core: insert(table).values(rows).returning(table.c.id)", core_values),
        ),
    }
    methods = []
    for serializer, options in JSON_SERIALIZERS.items():
        database = setup.folder / f"flask-{serializer.split()[0]}.sqlite3"
        app = create_app(
            {"DATABASE_URL": f"sqlite:///{database}", "SQLALCHEMY_ENGINE_OPTIONS": options}
        )
        setup.flask_apps[serializer] = app
        with app.app_context():
            db.create_all()
            db.engine.dispose()  # every connection from now on is watched
            event.listen(db.engine, "connect", lambda raw, _: setup.inserts.watch(raw))
        methods += [
            Method(
                f"{key} {serializer}",
                f"{title}; JSON: {serializer}",
                write,
                count,
                clear,
                app.app_context,
            )
            for key, title, write in ways[serializer]
        ]
    return methods


# (d) and (e): Django's ORM and its connection's cursor


def django_methods(setup: Setup) -> list[Method]:
    os.environ["DATABASE_URL"] = f"sqlite:///{setup.folder / 'django.sqlite3'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "django_app.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from django_app.predictions.models import Prediction

    call_command("migrate", verbosity=0)
    connection.ensure_connection()
    setup.inserts.watch(connection.connection)
    model = setup.model
    quote = connection.ops.quote_name
    table = quote(Prediction._meta.db_table)
    columns = ", ".join(quote(Prediction._meta.get_field(name).column) for name in COLUMNS)
    primary_key = quote(Prediction._meta.pk.column)

    @functools.cache
    def insert_statement(rows: int) -> str:
        """Column names and `%s` placeholders (Django's, on every database), never a value."""
        group = "(" + ", ".join(["%s"] * len(COLUMNS)) + ")"
        values = ", ".join([group] * rows)
        return f"INSERT INTO {table} ({columns}) VALUES {values} RETURNING {primary_key}"

    def orm(predictions: Predictions) -> list[int]:
        rows = new_rows(predictions, model)
        with transaction.atomic():
            if len(rows) == 1:
                return [Prediction.objects.create(**rows[0]).pk]
            return [obj.pk for obj in Prediction.objects.bulk_create(Prediction(**r) for r in rows)]

    def cursor_insert(predictions: Predictions) -> list[int]:
        created_at = connection.ops.adapt_datetimefield_value(datetime.now(UTC))
        fixed = (created_at, "api", model.name, model.version)
        parameters = baseline_wsgi.row_parameters(fixed, list(predictions))
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(insert_statement(len(parameters) // len(COLUMNS)), parameters)
            return sorted(row[0] for row in cursor.fetchall())

    def count() -> int:
        return int(Prediction.objects.count())

    def clear() -> None:
        Prediction.objects.all().delete()

    return [
        Method("d", "(d) Django ORM: objects.create / bulk_create in atomic()", orm, count, clear),
        Method(
            "e",
            "(e) Django connection.cursor(): one INSERT … RETURNING",
            cursor_insert,
            count,
            clear,
        ),
    ]


# (f): the standard library's sqlite3, as the bare-WSGI baseline writes


def driver_methods(setup: Setup) -> list[Method]:
    connection = baseline_wsgi.connect(str(setup.folder / "driver.sqlite3"))
    setup.driver = connection
    setup.inserts.watch(connection)
    model = setup.model

    def write(predictions: Predictions) -> list[int]:
        return baseline_wsgi.insert(connection, model, list(predictions), "api", datetime.now(UTC))

    def count() -> int:
        return int(connection.execute(f"SELECT count(*) FROM {baseline_wsgi.TABLE}").fetchone()[0])

    def clear() -> None:
        connection.execute(f"DELETE FROM {baseline_wsgi.TABLE}")

    return [
        Method("f", "(f) bare driver: sqlite3, one INSERT … RETURNING; orjson", write, count, clear)
    ]


def all_methods(setup: Setup) -> list[Method]:
    return [*flask_methods(setup), *django_methods(setup), *driver_methods(setup)]


def predictions_of(model: Predictor, rows: int) -> Predictions:
    """The model's output for a request of `rows` rows, cycling through its real examples."""
    examples = [dict(example["features"]) for example in model.manifest.examples]
    if rows == 1:
        return model.predict_one(examples[0])
    return model.predict_batch([examples[i % len(examples)] for i in range(rows)])


def calls_per_run(method: Method, predictions: Predictions, min_time: float) -> int:
    """How many calls fill `min_time` (found as `timeit.Timer.autorange` does; warms up too)."""
    calls = 1
    while (elapsed := timed(method, predictions, calls)) < min_time:
        calls = max(calls * 2, int(calls * min_time * 1.2 / max(elapsed, 1e-9)))
    return calls


def timed(method: Method, predictions: Predictions, calls: int) -> float:
    """Seconds for `calls` writes on an empty table; checks that each stored its rows and got
    their ids."""
    method.clear()
    started = time.perf_counter()
    for _ in range(calls):
        ids = method.write(predictions)
    elapsed = time.perf_counter() - started
    if len(ids) != len(predictions) or len(set(ids)) != len(ids):
        raise AssertionError(f"{method.title}: {len(ids)} ids for {len(predictions)} rows")
    if (stored := method.count()) != calls * len(predictions):
        raise AssertionError(
            f"{method.title}: {stored} rows stored, {calls * len(predictions)} written"
        )
    return elapsed


@dataclass
class Results:
    """Median ms per call, and INSERT statements per call, of each way (by key) and size."""

    ms: dict[str, dict[int, float]] = field(default_factory=dict)
    inserts: dict[str, dict[int, int]] = field(default_factory=dict)


def measure(
    setup: Setup,
    methods: Sequence[Method],
    sizes: Sequence[int] = SIZES,
    runs: int = 7,
    min_time: float = 0.2,
    say: Callable[[str], None] = print,
) -> Results:
    """Time every way at every size. The ways take turns run by run, the order rotating each
    run, so that a busy moment of a shared machine does not land on one way only (as
    benchmarks/load.py does with the servers). Then one more call of each, with its INSERT
    statements counted."""
    results = Results({m.key: {} for m in methods}, {m.key: {} for m in methods})
    for size in sizes:
        predictions = predictions_of(setup.model, size)
        calls = {}
        for method in methods:
            with method.context():
                calls[method.key] = calls_per_run(method, predictions, min_time)
        samples: dict[str, list[float]] = {method.key: [] for method in methods}
        for run in range(runs):
            shift = run % len(methods)
            for method in [*methods[shift:], *methods[:shift]]:
                with method.context():
                    seconds = timed(method, predictions, calls[method.key])
                samples[method.key].append(seconds / calls[method.key])
        for method in methods:
            with method.context():
                method.clear()
                with setup.inserts.counting():
                    method.write(predictions)
                method.clear()
            results.inserts[method.key][size] = setup.inserts.inserts
            results.ms[method.key][size] = ms = statistics.median(samples[method.key]) * 1000
            spread = f"{min(samples[method.key]) * 1000:.3f}–{max(samples[method.key]) * 1000:.3f}"
            say(f"  {size:>5,} rows  {ms:9.3f} ms (runs: {spread})  {method.title}")
    return results


def number(ms: float) -> str:
    """Three significant figures or so, never more decimals than a millisecond timing holds."""
    return (
        f"{ms:.3f}"
        if ms < 1
        else f"{ms:.2f}"
        if ms < 10
        else f"{ms:.1f}"
        if ms < 100
        else f"{ms:.0f}"
    )


def table(methods: Sequence[Method], results: Results, floor: str = "f") -> str:
    """A Markdown table: ms per call at each size; ms per 1,000 rows, written 1, 100 and 1,000 at
    a time; each way's time as a multiple of the floor's (the bare driver) for the smallest and
    the largest size; and the INSERT statements each call sends."""
    ms = results.ms
    sizes = sorted(next(iter(ms.values())))
    small, large = sizes[0], sizes[-1]
    at_a_time = " / ".join(f"{s:,}" for s in sizes)
    header = [
        "way to write",
        *(f"{s:,} row{'s' * (s > 1)}: ms" for s in sizes),
        f"ms per 1,000 rows, written {at_a_time} at a time",
        f"× floor, {small:,} / {large:,}",
        f"INSERTs per call, {at_a_time}",
    ]
    lines = [
        "| " + " | ".join(header) + " |",
        "| " + " | ".join(["---"] + ["---:"] * (len(header) - 1)) + " |",
    ]
    for method in methods:
        figures = ms[method.key]
        ratios = (
            " / ".join(f"{figures[s] / ms[floor][s]:.1f}" for s in (small, large))
            if floor in ms
            else "–"
        )
        cells = [
            method.title,
            *(number(figures[s]) for s in sizes),
            " / ".join(number(figures[s] * 1000 / s) for s in sizes),
            ratios,
            " / ".join(f"{results.inserts[method.key][s]:,}" for s in sizes),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


@contextlib.contextmanager
def temporary_folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="bench-writes-") as folder:
        yield Path(folder)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs per figure (the median is kept)")
    parser.add_argument("--min-time", type=float, default=0.2, help="seconds per run, at least")
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES), help="rows per call")
    args = parser.parse_args(argv)
    with temporary_folder() as folder:
        setup = prepare(folder)
        methods = all_methods(setup)
        print(
            f"Writing new predictions on SQLite {sqlite3.sqlite_version}, Python {sys.version.split()[0]}: "
            f"median of {args.runs} runs of at least {args.min_time} s",
            flush=True,
        )
        results = measure(setup, methods, args.sizes, args.runs, args.min_time)
        print()
        print(table(methods, results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
