"""Saving and loading the model artifact: a joblib file and a JSON manifest beside it.

A joblib file is a pickle, and unpickling runs code, so `load_model` checks the file's SHA-256
against the manifest **before** unpickling and refuses a file that does not match.

joblib and scikit-learn are imported only when a model is saved or loaded: a command that merely
reads a manifest (or a web app's database command) starts without them.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import warnings
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING

from .predictor import Predictor
from .schema import Feature, Manifest, snake_name

if TYPE_CHECKING:
    from .training import TrainedModel

VAR = Path("var")  # in the current folder, like any tool's output: models and databases
DEFAULT_MODEL_PATH = VAR / "model.joblib"
TRAIN_COMMAND = "python -m shared_model train"


class ModelError(RuntimeError):
    """The artifact cannot be served; the message is one line naming the path and the fix."""


class ModelNotFoundError(ModelError):
    pass


class ModelIntegrityError(ModelError):
    pass


class ModelVersionWarning(UserWarning):
    """The artifact was trained with another scikit-learn version than the one installed."""


def default_model_path(name: str, root: Path = VAR) -> Path:
    """`var/model.joblib` for iris, the default model; `var/NAME/model.joblib` for any other data,
    so that each model keeps its own folder (and the apps their own databases beside it)."""
    return root / "model.joblib" if name == "iris" else root / snake_name(name) / "model.joblib"


def configured_model_path() -> Path:
    """The model both apps and the command line use unless told otherwise: `MODEL_PATH` from the
    environment, else `var/model.joblib` in the current folder."""
    return Path(os.environ.get("MODEL_PATH") or DEFAULT_MODEL_PATH)


def manifest_path(path: Path) -> Path:
    return path.with_suffix(".json")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_atomically(path: Path, write: Callable[[Path], object]) -> None:
    """Write through a temporary file and rename, so a reader never sees half a file (the
    roll-out stages releases with it too)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save(trained: TrainedModel, path: Path = DEFAULT_MODEL_PATH) -> Manifest:
    """Write the joblib artifact, then its manifest with the artifact's SHA-256."""
    import joblib

    write_atomically(path, lambda tmp: joblib.dump(trained.estimator, tmp))
    card = dict(trained.card)
    card["features"] = [vars(f) if isinstance(f, Feature) else f for f in card["features"]]
    manifest = Manifest.from_dict({**card, "sha256": sha256_of(path)})
    text = json.dumps(manifest.to_dict(), indent=2, ensure_ascii=False) + "\n"
    write_atomically(manifest_path(path), lambda tmp: tmp.write_text(text, encoding="utf-8"))
    return manifest


def read_manifest(path: Path) -> Manifest:
    """The manifest beside `path`, or ModelNotFoundError naming what is missing."""
    if not path.is_file():
        raise ModelNotFoundError(
            f"No model artifact at {path}: run `{TRAIN_COMMAND}` to create it."
        )
    json_path = manifest_path(path)
    try:
        return Manifest.from_dict(json.loads(json_path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise ModelNotFoundError(
            f"No manifest at {json_path}: run `{TRAIN_COMMAND}` to write the model again."
        ) from None
    except (ValueError, KeyError, TypeError) as exc:
        raise ModelIntegrityError(
            f"The manifest {json_path} is unreadable ({exc}): run `{TRAIN_COMMAND}` again."
        ) from None


def version_problem(manifest: Manifest) -> str | None:
    """A sentence when the installed scikit-learn differs from the one that trained the model."""
    installed = version("scikit-learn")
    if manifest.sklearn_version == installed:
        return None
    return (
        f"The model was trained with scikit-learn {manifest.sklearn_version} but "
        f"{installed} is installed; retrain it with `{TRAIN_COMMAND}`."
    )


def check_integrity(path: Path, manifest: Manifest) -> None:
    """Raise ModelIntegrityError unless the file's SHA-256 is the one its manifest records."""
    actual = sha256_of(path)
    if actual != manifest.sha256:
        raise ModelIntegrityError(
            f"{path} does not match its manifest (SHA-256 {actual[:12]}…, expected "
            f"{manifest.sha256[:12]}…); refusing to unpickle it. Retrain with `{TRAIN_COMMAND}`."
        )


def load_model(path: Path | str | None = None) -> Predictor:
    """Load and check an artifact; raises ModelNotFoundError or ModelIntegrityError.

    The path is resolved once, and the manifest and the artifact are both read from the folder
    it names then: `MODEL_PATH` may run through a link that a roll-out switches to another
    release at any moment (docs/spec.md#104-a-new-model-without-downtime), and reading each file
    through the link could pair one version's manifest with another's artifact.
    """
    import joblib
    import sklearn

    path = (Path(path) if path else configured_model_path()).resolve()
    manifest = read_manifest(path)
    check_integrity(path, manifest)
    problem = version_problem(manifest)
    if problem:
        warnings.warn(problem, ModelVersionWarning, stacklevel=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sklearn.exceptions.InconsistentVersionWarning)
        estimator = joblib.load(path)
    return Predictor(estimator, manifest)
