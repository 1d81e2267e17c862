"""Fixtures every part of the suite shares: one iris model, trained once per test run."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared_model import Model, load_model
from shared_model.artifact import save
from shared_model.datasets import load_builtin
from shared_model.training import train


@pytest.fixture(scope="session")
def model_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("model") / "iris.joblib"
    save(train(load_builtin("iris")), path)
    return path


@pytest.fixture(scope="session")
def model(model_path: Path) -> Model:
    return load_model(model_path)


@pytest.fixture
def valid_features(model: Model) -> dict[str, float]:
    """A real setosa row from the training data (a fresh copy for each test to change)."""
    return dict(model.manifest.examples[0]["features"])
