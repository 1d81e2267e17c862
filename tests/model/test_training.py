import json

import numpy as np
import pytest

from shared_model.artifact import manifest_path, save, sha256_of
from shared_model.datasets import BUILTIN_DATASETS, accepted_range, label_and_unit, load_builtin
from shared_model.training import train


def test_same_seed_gives_the_same_metrics():
    data = load_builtin("iris")
    assert train(data, seed=7).card["metrics"] == train(data, seed=7).card["metrics"]


def test_manifest_holds_every_field_the_spec_lists(model_path):
    manifest = json.loads(manifest_path(model_path).read_text())
    assert set(manifest) >= {
        "name", "dataset", "task", "classes", "features", "metrics", "sklearn_version",
        "trained_at", "sha256", "examples",
    }  # fmt: skip
    assert manifest["task"] == "classification"
    assert manifest["classes"] == ["setosa", "versicolor", "virginica"]
    assert set(manifest["features"][0]) == {"name", "label", "unit", "min", "max", "description"}
    assert set(manifest["metrics"]) >= {
        "test_accuracy",
        "cv_accuracy_mean",
        "cv_accuracy_std",
        "confusion_matrix",
    }
    assert manifest["trained_at"].endswith("Z")


def test_manifest_sha256_is_that_of_the_joblib_file(model_path, model):
    assert model.manifest.sha256 == sha256_of(model_path)
    assert model.version == model.manifest.sha256[:12]


def test_confusion_matrix_counts_every_test_row(model):
    metrics = model.manifest.metrics
    assert np.array(metrics["confusion_matrix"]).sum() == metrics["test_rows"] == 38


def test_iris_features_have_labels_and_units(model):
    first = model.features[0]
    assert (first.name, first.label, first.unit) == ("sepal_length", "Sepal length", "cm")


@pytest.mark.parametrize("name", BUILTIN_DATASETS)
def test_ranges_are_wider_than_the_data_and_never_negative_for_positive_data(name):
    data = load_builtin(name)
    for index, feature in enumerate(data.features):
        column = data.X[:, index]
        assert column.max() < feature.max
        if column.min() > 0:
            assert 0 <= feature.min < column.min()
        elif column.min() == 0:
            assert feature.min == 0
        else:
            assert feature.min < column.min()


def test_accepted_range_rounds_outward():
    assert accepted_range(np.array([4.3, 7.9])) == (0.0, 12.0)
    assert accepted_range(np.array([-2.0, 2.0])) == (-6.0, 6.0)


def test_label_and_unit_split_a_header():
    assert label_and_unit("sepal length (cm)") == ("Sepal length", "cm")
    assert label_and_unit("body_mass") == ("Body mass", "")


def test_examples_are_real_training_rows_one_per_class(model):
    data = load_builtin("iris")
    rows = {tuple(r) for r in data.X.tolist()}
    assert [e["class"] for e in model.manifest.examples] == list(model.classes)
    for example in model.manifest.examples:
        assert tuple(example["features"][f.name] for f in model.features) in rows


def test_breast_cancer_classes_keep_their_order_and_probabilities(tmp_path):
    path = tmp_path / "bc.joblib"
    manifest = save(train(load_builtin("breast_cancer")), path)
    assert manifest.classes == ("malignant", "benign")
    from shared_model.artifact import load_model

    model = load_model(path)
    for example in manifest.examples:
        assert model.predict(example["features"]).label == example["class"]
