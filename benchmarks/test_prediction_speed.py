"""How much validation and building the rows add to scikit-learn's own `predict_proba`.

Goals (issue: shared model): a 1,000-row batch validated and predicted costs at most 2× the bare
`predict_proba` on the same rows as a NumPy array; a single row at most 1.5×. Run with
`python3 dev.py -s bench` and compare the medians of each pair.
"""

import numpy as np
import pytest

from shared_model.artifact import save
from shared_model.datasets import load_builtin
from shared_model.predictor import Predictor
from shared_model.training import train
from shared_web.payloads import new_prediction_fields


@pytest.fixture(scope="module")
def model(tmp_path_factory) -> Predictor:
    from shared_model.artifact import load_model

    path = tmp_path_factory.mktemp("bench") / "iris.joblib"
    save(train(load_builtin("iris")), path)
    return load_model(path)


@pytest.fixture(scope="module")
def rows(model):
    examples = [e["features"] for e in model.manifest.examples]
    return [dict(examples[i % len(examples)]) for i in range(1000)]


def as_array(model, rows):
    return np.array([[row[f.name] for f in model.features] for row in rows])


@pytest.mark.benchmark(group="one row")
def test_bare_predict_proba_one_row(benchmark, model, rows):
    benchmark(model.estimator.predict_proba, as_array(model, rows[:1]))


@pytest.mark.benchmark(group="one row")
def test_validate_and_predict_one_row(benchmark, model, rows):
    benchmark(model.predict, rows[0])


@pytest.mark.benchmark(group="1,000 rows")
def test_bare_predict_proba_1000_rows(benchmark, model, rows):
    benchmark(model.estimator.predict_proba, as_array(model, rows))


@pytest.mark.benchmark(group="1,000 rows")
def test_validate_and_predict_1000_rows(benchmark, model, rows):
    benchmark(model.predict_batch, rows)


def new_rows(model: Predictor, rows: list[dict[str, float]]) -> list[dict[str, object]]:
    """What the apps do before their INSERT: validate, predict, and build each new row's values
    (its features and probabilities as dictionaries, which the ORM then writes as JSON)."""
    return [new_prediction_fields(o, "api", model) for o in model.predict_batch(rows)]


@pytest.mark.benchmark(group="1,000 rows")
def test_validate_predict_and_build_the_rows_of_1000(benchmark, model, rows):
    benchmark(new_rows, model, rows)
