"""Flask-only behaviour: the application factory, configuration, migrations, SQLite settings."""

import logging
import os
import shutil
import subprocess
import sys

import pytest

pytest.importorskip("flask")

from flask_app import create_app
from flask_app.config import ConfigError, from_environment, sqlalchemy_url
from flask_app.extensions import db
from shared_model.artifact import ModelIntegrityError, ModelNotFoundError, manifest_path


def test_create_app_gives_a_new_app_each_call(flask_app):
    assert create_app() is not create_app()


def test_postgresql_urls_use_psycopg_3():
    assert sqlalchemy_url("postgresql://u:p@db:5432/app") == "postgresql+psycopg://u:p@db:5432/app"
    assert sqlalchemy_url("postgres://u@db/app") == "postgresql+psycopg://u@db/app"
    assert sqlalchemy_url("sqlite:////tmp/x.sqlite3") == "sqlite:////tmp/x.sqlite3"


def test_production_refuses_to_start_without_a_secret_key():
    with pytest.raises(ConfigError) as info:
        from_environment({"APP_ENV": "production"})
    assert str(info.value).startswith("SECRET_KEY is not set; APP_ENV=production needs one")


def test_an_unknown_app_env_is_refused():
    with pytest.raises(ConfigError, match="APP_ENV must be development or production"):
        from_environment({"APP_ENV": "staging"})


def test_development_warns_about_its_default_key(caplog):
    with caplog.at_level(logging.WARNING):
        config = from_environment({})
    assert config["SECRET_KEY"] == "dev-only-key-never-use-in-production"
    assert "SECRET_KEY is not set: using a development-only key." in caplog.text


def test_production_cookies_are_secure(flask_migrated_db, tmp_path):
    path = tmp_path / "db.sqlite3"
    shutil.copy(flask_migrated_db, path)
    app = create_app(
        {
            **from_environment({"APP_ENV": "production", "SECRET_KEY": "x" * 50}),
            "DATABASE_URL": f"sqlite:///{path}",
            "MODEL_PATH": os.environ["MODEL_PATH"],
        }
    )
    cookie = app.test_client().get("/", base_url="https://localhost").headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_allowed_hosts_come_from_the_environment(flask_migrated_db, tmp_path, monkeypatch):
    monkeypatch.setenv("ALLOWED_HOSTS", "models.example.org")
    path = tmp_path / "db.sqlite3"
    shutil.copy(flask_migrated_db, path)
    client = create_app({"DATABASE_URL": f"sqlite:///{path}"}).test_client()
    assert client.get("/api/v1/health", headers={"Host": "models.example.org"}).status_code == 200
    assert client.get("/api/v1/health", headers={"Host": "localhost"}).status_code == 400


def test_a_missing_model_stops_the_app_with_the_command_that_fixes_it(tmp_path):
    with pytest.raises(ModelNotFoundError) as info:
        create_app(
            {"MODEL_PATH": tmp_path / "none.joblib", "DATABASE_URL": f"sqlite:///{tmp_path}/db"}
        )
    assert (
        str(info.value)
        == f"No model artifact at {tmp_path / 'none.joblib'}: run `python -m shared_model train` to create it."
    )


def test_a_tampered_model_stops_the_app(tmp_path, model_path):
    copy = tmp_path / "m.joblib"
    copy.write_bytes(model_path.read_bytes() + b"tampered")
    shutil.copy(manifest_path(model_path), manifest_path(copy))
    with pytest.raises(ModelIntegrityError):
        create_app({"MODEL_PATH": copy, "DATABASE_URL": f"sqlite:///{tmp_path}/db"})


def test_every_sqlite_connection_uses_the_shared_settings(flask_app):
    with flask_app.app_context():
        connection = db.engine.raw_connection()
        try:
            settings_in_use = [
                connection.execute(f"PRAGMA {name}").fetchone()[0]
                for name in ("journal_mode", "synchronous", "busy_timeout", "mmap_size")
            ]
            assert settings_in_use == ["wal", 1, 10000, 268435456]
        finally:
            connection.close()


def test_a_database_without_its_table_answers_503_and_logs_the_fix(tmp_path, caplog):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/empty.sqlite3"})
    client = app.test_client()
    health = client.get("/api/v1/health")
    assert health.status_code == 503
    assert health.get_json() == {
        "status": "unavailable",
        "checks": {"model": "ok", "database": "unreachable"},
    }
    answer = client.post(
        "/api/v1/predict",
        json={
            "features": {
                "sepal_length": 5.1,
                "sepal_width": 3.5,
                "petal_length": 1.4,
                "petal_width": 0.2,
            }
        },
    )
    assert answer.status_code == 503
    assert answer.get_json()["error"]["code"] == "service_unavailable"
    assert (
        f"Database sqlite:///{tmp_path}/empty.sqlite3 is not usable (no such table: prediction): check that it runs, then run `flask --app flask_app db upgrade`."
        in caplog.text
    )
    assert client.get("/history").status_code == 503


def _flask(*args, env):
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "flask_app", *args],
        capture_output=True,
        text=True,
        env=env,
    )


def test_db_upgrade_creates_the_schema_and_the_models_need_no_new_migration(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/cli.sqlite3"}
    upgrade = _flask("db", "upgrade", env=env)
    assert upgrade.returncode == 0, upgrade.stderr
    check = _flask("db", "check", env=env)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "No new upgrade operations detected." in check.stdout + check.stderr
