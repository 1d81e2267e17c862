"""The command line as a student uses it: `python -m shared_model train | info | predict`, and
as the roll-out uses it: `check`."""

import json
import os
import subprocess
import sys

import pytest

from shared_model.artifact import manifest_path, save, sha256_of
from shared_model.datasets import load_builtin
from shared_model.training import train

GOOD_CSV = """length (mm),width (mm),weight,kind
10,4,1.5,small
11,4.2,1.6,small
10.5,3.9,1.4,small
12,4.4,1.7,small
10.2,4.1,1.5,small
20,8,5.2,large
21,8.4,5.5,large
19.5,7.9,5.0,large
22,8.8,5.9,large
20.4,8.1,5.3,large
"""


def run(*args, cwd=None, env=None):
    return subprocess.run(
        [sys.executable, "-m", "shared_model", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, **(env or {})},
    )


def test_train_on_your_own_csv_writes_an_artifact_and_prints_its_card(tmp_path):
    data = tmp_path / "parts.csv"
    data.write_text(GOOD_CSV)
    out = tmp_path / "parts.joblib"
    result = run("train", "--csv", str(data), "--target", "kind", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "Model parts" in result.stdout
    assert "length                   Length (mm)" in result.stdout
    manifest = json.loads(out.with_suffix(".json").read_text())
    assert manifest["classes"] == ["large", "small"]
    assert [f["name"] for f in manifest["features"]] == ["length", "width", "weight"]
    assert manifest["features"][0]["unit"] == "mm"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "error: {path} is empty."),
        (
            GOOD_CSV.replace("4.2", "wide"),
            "error: Column 'width (mm)', row 3: 'wide' is not a number (feature columns must be numeric).",
        ),
        (
            GOOD_CSV.replace(",kind\n", ",type\n"),
            "error: {path} has no column 'kind'; its columns are: length (mm), width (mm), weight, type.",
        ),
        (
            GOOD_CSV + "30,9,6,huge\n",
            "error: Class 'huge' of column 'kind' has only 1 row; each class needs 2 or more.",
        ),
        ("\x89PNG\r\n\x1a\n\0\0\0", "error: {path} is not a CSV file (it holds binary data)."),
    ],
    ids=["empty", "non-numeric", "no-target", "lonely-class", "not-csv"],
)
def test_a_broken_csv_gets_one_line_exit_2_and_no_artifact(tmp_path, content, message):
    data = tmp_path / "broken.csv"
    data.write_bytes(content.encode("latin-1"))
    out = tmp_path / "broken.joblib"
    result = run("train", "--csv", str(data), "--target", "kind", "--out", str(out))
    assert result.returncode == 2
    assert result.stderr == message.format(path=data) + "\n"
    assert list(tmp_path.iterdir()) == [data]


def test_csv_without_target_is_a_usage_error(tmp_path):
    result = run("train", "--csv", "x.csv", "--out", str(tmp_path / "m.joblib"))
    assert (result.returncode, result.stderr) == (
        2,
        "error: --csv needs --target COLUMN, the column that holds the class.\n",
    )


def test_info_prints_the_model_card(model_path):
    result = run("info", str(model_path))
    assert result.returncode == 0
    assert "Model iris" in result.stdout
    assert "test accuracy 0.921" in result.stdout
    assert "sepal_length             Sepal length (cm)                0 to 12" in result.stdout


def test_info_on_a_missing_artifact_says_how_to_make_one(tmp_path):
    result = run("info", str(tmp_path / "none.joblib"))
    assert result.returncode == 2
    assert (
        result.stderr
        == f"error: No model artifact at {tmp_path / 'none.joblib'}: run `python -m shared_model train` to create it.\n"
    )


def test_info_on_a_tampered_artifact_prints_the_card_then_fails(model_path, tmp_path):
    copy = tmp_path / "model.joblib"
    copy.write_bytes(model_path.read_bytes() + b"tampered")
    (tmp_path / "model.json").write_bytes(model_path.with_suffix(".json").read_bytes())
    result = run("info", str(copy))
    assert result.returncode == 2
    assert "Model iris" in result.stdout
    assert result.stderr.startswith(f"error: {copy} does not match its manifest (SHA-256 ")
    assert result.stderr.endswith(
        "refusing to unpickle it. Retrain with `python -m shared_model train`.\n"
    )


def test_info_reads_model_path_from_the_environment(model_path):
    result = run("info", env={"MODEL_PATH": str(model_path)})
    assert result.returncode == 0
    assert f"artifact      {model_path}" in result.stdout


def test_predict_prints_the_prediction_object(model_path, valid_features):
    result = run("predict", "--model", str(model_path), "--features", json.dumps(valid_features))
    payload = json.loads(result.stdout)
    assert payload["label"] == "setosa"
    assert payload["features"] == valid_features


def test_predict_with_a_bad_value_names_the_field(model_path, valid_features):
    features = json.dumps({**valid_features, "petal_width": "wide"})
    result = run("predict", "--model", str(model_path), "--features", features)
    assert (result.returncode, result.stderr) == (
        2,
        "error: petal_width: Must be a number from 0 to 5.\n",
    )


def test_check_proves_an_artifact_in_one_line(model_path, model):
    result = run("check", str(model_path))
    assert (result.returncode, result.stdout, result.stderr) == (
        0,
        f"OK iris {model.version}: 3 examples predicted\n",
        "",
    )


def test_check_refuses_an_artifact_changed_after_its_manifest_with_exit_1(model_path, tmp_path):
    copy = tmp_path / "model.joblib"
    copy.write_bytes(model_path.read_bytes() + b"changed")
    manifest_path(copy).write_bytes(manifest_path(model_path).read_bytes())
    result = run("check", str(copy))
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.startswith(f"error: {copy} does not match its manifest (SHA-256 ")
    assert result.stderr.count("\n") == 1


def test_check_refuses_a_missing_artifact_with_exit_1(tmp_path):
    result = run("check", str(tmp_path / "none.joblib"))
    assert (result.returncode, result.stderr) == (
        1,
        f"error: No model artifact at {tmp_path / 'none.joblib'}: run `python -m shared_model train` to create it.\n",
    )


def test_check_refuses_a_model_that_cannot_predict_its_manifest_s_examples(model_path, tmp_path):
    """A breast cancer model under an iris manifest that names its SHA-256: it unpickles, but
    predicts nothing the manifest describes."""
    other = tmp_path / "model.joblib"
    save(train(load_builtin("breast_cancer")), other)
    manifest = json.loads(manifest_path(model_path).read_text())
    manifest_path(other).write_text(json.dumps({**manifest, "sha256": sha256_of(other)}))
    result = run("check", str(other))
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        f"error: {other} cannot predict its manifest's examples (ValueError: 'setosa' is not in "
        "list); retrain it with `python -m shared_model train`.\n"
    )
