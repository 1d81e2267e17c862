"""shared_model.inserts: one INSERT for a batch, ids in the batch's order, JSON as json.dumps."""

import json
import sqlite3
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared_model import inserts
from shared_model.payloads import dumps, prediction_payload

TABLE = """CREATE TABLE prediction (
    id INTEGER PRIMARY KEY, created_at TEXT, source TEXT, model_name TEXT, model_version TEXT,
    features TEXT, label TEXT, probabilities TEXT, feedback_comment TEXT)"""


@pytest.fixture
def database():
    connection = sqlite3.connect(":memory:")
    connection.execute(TABLE)
    yield connection
    connection.close()


def execute_on(connection):
    return lambda sql, parameters: connection.execute(sql, parameters).fetchall()


def store(connection, model, predictions):
    batch = inserts.NewPredictions.of(predictions, model, "api")
    return inserts.insert(execute_on(connection), "prediction", batch, "?", "2026-11-25 10:00:00")


def stored_row(connection, row_id, created_at):
    values = connection.execute(
        "SELECT id, source, model_name, model_version, features, label, probabilities"
        " FROM prediction WHERE id = ?",
        (row_id,),
    ).fetchone()
    return SimpleNamespace(
        id=values[0],
        created_at=created_at,
        source=values[1],
        model_name=values[2],
        model_version=values[3],
        features=json.loads(values[4]),
        label=values[5],
        probabilities=json.loads(values[6]),
        feedback_label=None,
        feedback_correct=None,
        feedback_comment="",
        feedback_at=None,
    )


def test_a_batch_is_one_statement_with_every_column(model, database):
    statements = []
    database.set_trace_callback(statements.append)
    rows = [example["features"] for example in model.manifest.examples]
    store(database, model, model.predict_batch(rows))
    [insert] = [sql for sql in statements if sql.startswith("INSERT")]
    assert insert.startswith(f"INSERT INTO prediction ({', '.join(inserts.COLUMNS)})")


def test_the_ids_come_back_in_the_batch_order(model, database):
    database.execute("INSERT INTO prediction (id) VALUES (41)")
    rows = [example["features"] for example in model.manifest.examples]
    stored = store(database, model, model.predict_batch(rows))
    assert stored.ids == [42, 43, 44]
    labels = [
        database.execute("SELECT label FROM prediction WHERE id = ?", (i,)).fetchone()[0]
        for i in stored.ids
    ]
    assert labels == [example["class"] for example in model.manifest.examples]


def test_a_batch_larger_than_one_statement_is_split(model, database, monkeypatch):
    monkeypatch.setattr(inserts, "ROWS_PER_STATEMENT", 2)
    statements = []
    database.set_trace_callback(statements.append)
    rows = [example["features"] for example in model.manifest.examples]
    stored = store(database, model, model.predict_batch(rows))
    assert len([sql for sql in statements if sql.startswith("INSERT")]) == 2
    assert stored.ids == [1, 2, 3]


def test_each_answer_is_byte_for_byte_the_payload_of_the_stored_row(model, database):
    rows = [example["features"] for example in model.manifest.examples]
    stored = store(database, model, model.predict_batch(rows))
    texts = stored.batch.payload_json(stored.ids)
    for row_id, text in zip(stored.ids, texts, strict=True):
        row = stored_row(database, row_id, stored.batch.created_at)
        assert text == dumps(prediction_payload(row, model.manifest)).decode()
    assert json.loads(stored.batch_json()) == {"predictions": [json.loads(t) for t in texts]}


def test_the_answer_to_one_prediction_is_that_prediction_alone(model, database):
    stored = store(database, model, model.predict_one(model.manifest.examples[0]["features"]))
    assert json.loads(stored.prediction_json())["id"] == stored.ids[0]


finite = st.floats(allow_nan=False, allow_infinity=False)


@given(
    values=st.lists(finite, min_size=1, max_size=4),
    names=st.lists(st.text(), min_size=4, max_size=4, unique=True),
)
def test_the_json_of_a_row_is_what_json_dumps_writes(values, names):
    template = inserts._json_template(tuple(names[: len(values)]))
    written = template % tuple(values)
    assert written == json.dumps(dict(zip(names, values, strict=False)), ensure_ascii=False)


def test_the_time_of_a_batch_is_utc(model):
    batch = inserts.NewPredictions.of(
        model.predict_one(model.manifest.examples[0]["features"]), model, "form"
    )
    assert batch.created_at.tzinfo is UTC
    assert abs(datetime.now(UTC) - batch.created_at).total_seconds() < 60
