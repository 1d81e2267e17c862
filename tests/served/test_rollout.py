"""docs/spec.md#104-a-new-model-without-downtime under gunicorn, as deployed
(deploy/gunicorn.conf.py, no preloading; MODEL_PATH through a models folder's `current` link):
a new model goes live under load without a failed request, and a broken one never gets past
its proof.

One gunicorn with 2 workers per app for the module: the roll-out test leaves it serving the
second model, and the broken artifact's test asks only that whatever it serves goes on.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from rollout_load import SECONDS_AFTER, SECONDS_BEFORE, SETOSA, STORED_VERSIONS, Load
from served_apps import Server, serving
from waiting import STARTUP_SECONDS, output_of, tail

from deploy.rollout import RolloutError, roll_out, served_path, stage, switch
from shared_model.artifact import read_manifest, save, sha256_of
from shared_model.datasets import load_builtin
from shared_model.training import train

RATE = 25  # requests a second: above the 20 the roll-out must keep up


@pytest.fixture(scope="module")
def models(framework: str, model_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A models folder whose first release is the suite's model, staged and switched to (the
    suite's own model needs no proof: every other test uses it)."""
    folder = tmp_path_factory.mktemp(f"{framework}-models")
    switch(folder, stage(model_path, folder))
    return folder


@pytest.fixture(scope="module")
def server(
    framework: str, models: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    tmp_path = tmp_path_factory.mktemp(framework)
    model = str(served_path(models))
    with serving(framework, tmp_path, MODEL_PATH=model) as served:
        yield served


def served_version(server: Server) -> str:
    with urllib.request.urlopen(server.url + "/api/v1/health", timeout=30) as answer:
        return str(json.loads(answer.read())["model_version"])


def rolled_out(artifact: Path, models: Path, server: Server) -> str:
    """`roll_out` to the one gunicorn; a roll-out that does not finish fails with its log."""
    try:
        return roll_out(
            artifact,
            models,
            [server.process.pid],
            [server.url + "/api/v1/health"],
            timeout=STARTUP_SECONDS,
        )
    except RolloutError as error:
        pytest.fail(f"{error}; the server's log:\n{tail(output_of(server.log)())}", pytrace=False)


def stored_versions(framework: str, server: Server) -> dict[int, str]:
    database = server.log.parent / f"{framework}.sqlite3"
    with sqlite3.connect(database) as connection:
        return dict(connection.execute(STORED_VERSIONS[framework]).fetchall())


def test_a_new_model_goes_live_under_load_without_a_failed_request(
    framework: str, server: Server, models: Path, second_model_path: Path
):
    old = served_version(server)
    with Load(server.url + "/api/v1/predict", RATE) as load:
        time.sleep(SECONDS_BEFORE)
        new = rolled_out(second_model_path, models, server)
        time.sleep(SECONDS_AFTER)
    assert new == read_manifest(second_model_path).version != old
    assert load.statuses() == {201: len(load.answers)}, load.failures()
    assert {answer.version for answer in load.answers} == {old, new}
    made = {answer.id: answer.version for answer in load.answers}
    stored = stored_versions(framework, server)
    assert {row: stored[row] for row in made} == made
    assert load.rate >= 20


def test_a_broken_artifact_is_refused_before_the_switch_and_the_old_model_serves_on(
    server: Server, models: Path, tmp_path: Path
):
    broken = tmp_path / "model.joblib"
    save(train(load_builtin("iris"), seed=3), broken)
    with broken.open("ab") as joblib_file:
        joblib_file.write(b"changed after its manifest was written")
    version = read_manifest(broken).version
    serving, link = served_version(server), os.readlink(models / "current")
    with pytest.raises(RolloutError) as refused:
        roll_out(broken, models, [server.process.pid], [server.url + "/api/v1/health"])
    staged = models / "releases" / version / "model.joblib"
    assert str(refused.value) == (
        f"{staged} does not match its manifest (SHA-256 "
        f"{sha256_of(broken)[:12]}…, expected {version}…); "
        "refusing to unpickle it. Retrain with `python -m shared_model train`."
    )
    assert os.readlink(models / "current") == link
    assert served_version(server) == serving
    assert server.request("POST", "/api/v1/predict", {"features": SETOSA})[0] == 201


# The steps that need no server.


def test_a_release_already_staged_is_used_as_it_is(model_path: Path, tmp_path: Path):
    """Rolling back names the release itself; rolling out the same model again copies nothing."""
    staged = stage(model_path, tmp_path)
    copied = staged.stat().st_ino
    assert stage(staged, tmp_path) == stage(model_path, tmp_path) == staged
    assert staged.stat().st_ino == copied


def test_the_switch_leaves_a_relative_link_to_the_release(model_path: Path, tmp_path: Path):
    """Relative, so that the models folder can be moved or mounted elsewhere whole."""
    switch(tmp_path, stage(model_path, tmp_path))
    assert os.readlink(tmp_path / "current") == f"releases/{read_manifest(model_path).version}"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["current", "releases"]
