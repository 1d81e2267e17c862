"""The `flask` command line (docs/spec.md#13-starting-and-refusing-to-start): the database
commands need no trained model and do not import scikit-learn; `flask run` loads the model at
start and refuses a missing or tampered one."""

import os
import shutil
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from waiting import answers, output_of, wait_until

pytest.importorskip("flask")

from shared_model.artifact import manifest_path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# `flask --app flask_app ARGS` in a fresh interpreter, then a look at what it imported.
IMPORTS_AFTER_COMMAND = """
import sys
from flask.cli import cli
cli.main(args=sys.argv[1:], prog_name="flask", standalone_mode=False)
print("sklearn imported:", "sklearn" in sys.modules)
"""


def flask(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "flask_app", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )


def test_db_upgrade_needs_no_model_and_does_not_import_scikit_learn(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path}/cli.sqlite3",
        "MODEL_PATH": str(tmp_path / "no-model-here.joblib"),
    }
    result = subprocess.run(
        [sys.executable, "-c", IMPORTS_AFTER_COMMAND, "--app", "flask_app", "db", "upgrade"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Running upgrade  -> b811d2146eed" in result.stderr
    assert "sklearn imported: False" in result.stdout


def test_create_staff_and_clear_sessions_need_no_model_and_do_not_import_scikit_learn(
    flask_migrated_db, tmp_path
):
    shutil.copy(flask_migrated_db, tmp_path / "cli.sqlite3")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path}/cli.sqlite3",
        "MODEL_PATH": str(tmp_path / "no-model-here.joblib"),
    }
    for command, typed in (
        (["create-staff", "boss"], "a-long-passphrase\na-long-passphrase\n"),
        (["clear-sessions"], ""),
    ):
        result = subprocess.run(
            [sys.executable, "-c", IMPORTS_AFTER_COMMAND, "--app", "flask_app", *command],
            input=typed,
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        assert "sklearn imported: False" in result.stdout


def test_db_upgrade_creates_the_schema_and_the_models_need_no_new_migration(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/cli.sqlite3"}
    upgrade = flask("db", "upgrade", env=env)
    assert upgrade.returncode == 0, upgrade.stderr
    check = flask("db", "check", env=env)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "No new upgrade operations detected." in check.stdout + check.stderr


def test_flask_run_refuses_to_start_without_a_model(tmp_path):
    missing = tmp_path / "none.joblib"
    env = {**os.environ, "MODEL_PATH": str(missing), "DATABASE_URL": f"sqlite:///{tmp_path}/db"}
    result = flask("run", "--port", "0", env=env)
    assert result.returncode != 0
    assert result.stderr.rstrip().endswith(
        f"No model artifact at {missing}: run `python -m shared_model train` to create it."
    )


def test_flask_run_refuses_a_tampered_model(tmp_path, model_path):
    tampered = tmp_path / "model.joblib"
    tampered.write_bytes(model_path.read_bytes() + b"\0tampered")
    shutil.copy(manifest_path(model_path), manifest_path(tampered))
    env = {**os.environ, "MODEL_PATH": str(tampered), "DATABASE_URL": f"sqlite:///{tmp_path}/db"}
    result = flask("run", "--port", "0", env=env)
    assert result.returncode != 0
    assert f"{tampered} does not match its manifest" in result.stderr


def test_flask_run_serves_the_app(tmp_path, flask_migrated_db):
    port = free_port()
    database = tmp_path / "db.sqlite3"
    shutil.copy(flask_migrated_db, database)
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}"}
    log = tmp_path / "flask-run.log"
    server = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "flask_app", "run", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
    )
    try:
        health = f"http://127.0.0.1:{port}/api/v1/health"
        wait_until(answers(health), server, output_of(log), "flask run")
        with urllib.request.urlopen(health) as answer:
            assert answer.status == 200
    finally:
        server.terminate()
        server.wait(timeout=30)
