import pickle
import shutil
import warnings
from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared_model import artifact
from shared_model.artifact import (
    ModelIntegrityError,
    ModelNotFoundError,
    ModelVersionWarning,
    load_model,
    manifest_path,
    read_manifest,
)


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


def test_a_link_switched_while_loading_never_mixes_two_versions(
    model_path, second_model_path, tmp_path, monkeypatch
):
    """The link is resolved once: after the manifest is read, the artifact comes from the same
    release, even when `current` now names another (docs/spec.md#104)."""
    for name, source in (("first", model_path), ("second", second_model_path)):
        (tmp_path / name).mkdir()
        shutil.copy(source, tmp_path / name / "model.joblib")
        shutil.copy(manifest_path(source), tmp_path / name / "model.json")
    (tmp_path / "current").symlink_to("first")

    def read_then_switch(path):
        manifest = read_manifest(path)
        (tmp_path / "current").unlink()
        (tmp_path / "current").symlink_to("second")
        return manifest

    monkeypatch.setattr(artifact, "read_manifest", read_then_switch)
    loaded = load_model(tmp_path / "current" / "model.joblib")
    assert loaded.version == read_manifest(model_path).version
    assert loaded.version != read_manifest(second_model_path).version


def test_other_sklearn_version_is_reported(copy):
    path = manifest_path(copy)
    path.write_text(path.read_text().replace('"sklearn_version": "', '"sklearn_version": "0.0.'))
    with pytest.warns(ModelVersionWarning, match="trained with scikit-learn 0.0"):
        load_model(copy)


@pytest.fixture(scope="module")
def reloaded(model_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # same scikit-learn: no version warning either
        return load_model(model_path)


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_any_input_gives_the_same_output_after_save_and_load(model, reloaded, data):
    row = data.draw(
        st.fixed_dictionaries({f.name: st.floats(f.min, f.max) for f in model.features})
    )
    assert reloaded.predict(row) == model.predict(row)


def test_one_loaded_model_serves_many_threads_at_once(model):
    rows = [dict(e["features"]) for e in model.manifest.examples] * 100
    expected = [model.predict(row) for row in rows]
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(model.predict, rows)) == expected
