import pickle
import shutil
import warnings

import pytest

from shared_model import ModelIntegrityError, ModelNotFoundError, load_model
from shared_model.artifact import ModelVersionWarning, manifest_path


@pytest.fixture
def copy(model_path, tmp_path):
    path = tmp_path / "copy.joblib"
    shutil.copy(model_path, path)
    shutil.copy(manifest_path(model_path), manifest_path(path))
    return path


class _Canary:
    """Unpickling this writes a file: proof that a tampered artifact was (or was not) unpickled."""

    def __init__(self, target):
        self.target = target

    def __reduce__(self):
        return (open, (str(self.target), "w"))


def test_missing_artifact_names_the_path_and_the_command(tmp_path):
    with pytest.raises(ModelNotFoundError) as info:
        load_model(tmp_path / "nothing.joblib")
    message = str(info.value)
    assert str(tmp_path / "nothing.joblib") in message
    assert "python -m shared_model train" in message
    assert "\n" not in message


def test_missing_manifest_names_the_manifest(copy):
    manifest_path(copy).unlink()
    with pytest.raises(ModelNotFoundError) as info:
        load_model(copy)
    assert str(info.value) == (
        f"No manifest at {manifest_path(copy)}: run `python -m shared_model train` to write the model again."
    )


def test_tampered_artifact_is_refused_before_unpickling(copy, tmp_path):
    canary = tmp_path / "unpickled"
    copy.write_bytes(pickle.dumps(_Canary(canary)))
    with pytest.raises(ModelIntegrityError, match="does not match its manifest"):
        load_model(copy)
    assert not canary.exists()


def test_other_sklearn_version_is_reported(copy):
    path = manifest_path(copy)
    path.write_text(path.read_text().replace('"sklearn_version": "', '"sklearn_version": "0.0.'))
    with pytest.warns(ModelVersionWarning, match="trained with scikit-learn 0.0"):
        load_model(copy)


def test_same_input_gives_the_same_output_after_save_and_load(model, model_path, valid_features):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        again = load_model(model_path)
    assert again.predict(valid_features) == model.predict(valid_features)
