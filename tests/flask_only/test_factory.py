"""Flask-only behaviour: the application factory, configuration, the model, SQLite settings."""

import logging
import os
import shutil
from pathlib import Path

import pytest

pytest.importorskip("flask")

import flask_app as flask_package
from flask_app import create_app
from flask_app.config import ConfigError, from_environment, sqlalchemy_url
from flask_app.extensions import db
from shared_model.artifact import ModelIntegrityError, ModelNotFoundError, manifest_path


@pytest.fixture
def database(flask_migrated_db, tmp_path) -> str:
    """A migrated SQLite database of the test's own."""
    path = tmp_path / "db.sqlite3"
    shutil.copy(flask_migrated_db, path)
    return f"sqlite:///{path}"


def test_create_app_gives_a_new_app_each_call(database):
    config = {"DATABASE_URL": database}
    assert create_app(config) is not create_app(config)


def test_postgresql_urls_use_psycopg_3():
    assert sqlalchemy_url("postgresql://u:p@db:5432/app") == "postgresql+psycopg://u:p@db:5432/app"
    assert sqlalchemy_url("postgres://u@db/app") == "postgresql+psycopg://u@db/app"
    assert sqlalchemy_url("sqlite:////tmp/x.sqlite3") == "sqlite:////tmp/x.sqlite3"


def test_the_default_database_is_in_the_instance_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    config = from_environment(str(tmp_path / "instance"))
    assert (
        config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'instance' / 'flask.sqlite3'}"
    )
    app = create_app()
    assert not Path(app.instance_path).is_relative_to(Path(flask_package.__file__).parent)
    assert app.config["DATABASE_URL"] == f"sqlite:///{Path(app.instance_path, 'flask.sqlite3')}"
    assert Path(app.instance_path).is_dir()


def test_database_url_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:p@db/app")
    config = from_environment(str(tmp_path))
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@db/app"
    assert config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is True


def test_production_refuses_to_start_without_a_secret_key(monkeypatch, tmp_path):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError) as info:
        from_environment(str(tmp_path))
    assert str(info.value).startswith("SECRET_KEY is not set; APP_ENV=production needs one")


def test_an_unknown_app_env_is_refused(monkeypatch, tmp_path):
    monkeypatch.setenv("APP_ENV", "staging")
    with pytest.raises(ConfigError, match="APP_ENV must be development or production"):
        from_environment(str(tmp_path))


def test_development_warns_about_its_default_key(caplog, monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with caplog.at_level(logging.WARNING):
        config = from_environment(str(tmp_path))
    assert config["SECRET_KEY"] == "dev-only-key-never-use-in-production"
    assert "SECRET_KEY is not set: using a development-only key." in caplog.text


def test_production_cookies_are_secure(database, monkeypatch):
    monkeypatch.setenv("APP_ENV", "production")
    app = create_app({"DATABASE_URL": database})
    cookie = app.test_client().get("/", base_url="https://localhost").headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_debug_is_off_by_default_and_on_with_debug_1(database, monkeypatch):
    monkeypatch.delenv("DEBUG", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    assert create_app({"DATABASE_URL": database}).debug is False
    monkeypatch.setenv("DEBUG", "1")
    assert create_app({"DATABASE_URL": database}).debug is True
    monkeypatch.setenv("DEBUG", "0")
    monkeypatch.setenv("FLASK_DEBUG", "1")
    assert create_app({"DATABASE_URL": database}).debug is False


def test_flask_debug_turns_debug_on_as_flask_run_debug_does(database, monkeypatch):
    monkeypatch.delenv("DEBUG", raising=False)
    monkeypatch.setenv("FLASK_DEBUG", "1")  # what `flask run --debug` sets
    assert create_app({"DATABASE_URL": database}).debug is True


def test_with_debug_off_an_unexpected_error_is_the_500_page(database, monkeypatch):
    monkeypatch.delenv("DEBUG", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    app = create_app({"DATABASE_URL": database})

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("boom")

    answer = app.test_client().get("/boom")
    assert answer.status_code == 500
    assert b'data-testid="error-title">Server error<' in answer.data
    assert b"boom" not in answer.data


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


def test_a_database_without_its_table_answers_503_and_logs_the_fix(tmp_path, caplog, model):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/empty.sqlite3"})
    client = app.test_client()
    health = client.get("/api/v1/health")
    assert health.status_code == 503
    assert health.get_json() == {
        "status": "unavailable",
        "checks": {"model": "ok", "database": "unreachable"},
        "model_version": model.version,
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


def test_the_folder_of_a_sqlite_file_is_created(tmp_path):
    create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/new/folder/db.sqlite3"})
    assert (tmp_path / "new" / "folder").is_dir()


def test_the_model_path_comes_from_the_environment(database, model_path):
    app = create_app({"DATABASE_URL": database})
    assert app.config["MODEL_PATH"] == Path(os.environ["MODEL_PATH"]) == model_path


def test_metrics_enabled_false_leaves_out_metrics(database, monkeypatch):
    monkeypatch.setenv("METRICS_ENABLED", "false")
    app = create_app({"DATABASE_URL": database})
    assert app.test_client().get("/metrics").status_code == 404
    assert not app.extensions["model_metrics"].enabled


def test_metrics_enabled_must_be_true_or_false(monkeypatch, tmp_path):
    monkeypatch.setenv("METRICS_ENABLED", "off")
    with pytest.raises(ConfigError, match="METRICS_ENABLED must be true or false, not 'off'"):
        from_environment(str(tmp_path))
