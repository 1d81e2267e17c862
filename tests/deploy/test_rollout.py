"""docs/spec.md#104-a-new-model-without-downtime through the deployed stack: a new model rolled
out to both apps (`Stack.roll_out`: HUP to each gunicorn behind nginx, or a touch of each app's
WSGI script under Apache's mod_wsgi) while predictions keep coming through the web server.

It leaves the stack serving the second model; the other tests of the folder ask the version of
whatever it serves.
"""

from __future__ import annotations

import time
from pathlib import Path

import psycopg
import pytest
from rollout_load import SECONDS_AFTER, SECONDS_BEFORE, STORED_VERSIONS, Load
from waiting import tail
from web import Browserish

from deploy.rollout import RolloutError
from deploy.stack import Stack, tls_context
from shared_model.artifact import read_manifest

RATE = 25  # requests a second through the web server, half to each app: above the 20 required


def rolled_out(stack: Stack, artifact: Path) -> str:
    """`Stack.roll_out`; a roll-out that does not finish fails with the apps' logs."""
    try:
        return stack.roll_out(artifact)
    except RolloutError as error:
        names = dict.fromkeys(name for app in STORED_VERSIONS for name in stack.app_logs(app))
        logs = "\n".join(f"--- {name}:\n{tail(stack.log(name))}" for name in names)
        pytest.fail(f"{error}\n{logs}", pytrace=False)


def stored_versions(stack: Stack, app: str) -> dict[int, str]:
    with psycopg.connect(stack.database.url) as connection:
        return dict(connection.execute(STORED_VERSIONS[app]).fetchall())


def test_a_new_model_goes_live_behind_the_web_server_without_a_failed_request(
    stack: Stack, second_model_path: Path
):
    old = Browserish().get(f"{stack.url}/flask/api/v1/health").json()["model_version"]
    loads = {
        app: Load(f"{stack.url}/{app}/api/v1/predict", RATE / 2, context=tls_context())
        for app in STORED_VERSIONS
    }
    with loads["flask"], loads["django"]:
        time.sleep(SECONDS_BEFORE)
        new = rolled_out(stack, second_model_path)
        time.sleep(SECONDS_AFTER)
    assert new == read_manifest(second_model_path).version != old
    for app, load in loads.items():
        assert load.statuses() == {201: len(load.answers)}, (app, load.failures())
        assert {answer.version for answer in load.answers} == {old, new}, app
        made = {answer.id: answer.version for answer in load.answers}
        stored = stored_versions(stack, app)
        assert {row: stored[row] for row in made} == made, app
    assert sum(load.rate for load in loads.values()) >= 20
