"""The Flask front end: `create_app()` builds the app (contract §1), Flask's application factory.

flask --app flask_app db upgrade     # create or upgrade the database schema
flask --app flask_app run --port 5000
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Mapping
from importlib.metadata import version
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import make_url

from shared_model.artifact import load_model
from shared_web import STATIC_FOLDER
from shared_web.display import display_time, number, percent, share
from shared_web.sqlite import PRAGMAS as SQLITE_PRAGMAS

from . import api, errors, pages, security
from .config import from_environment, sqlalchemy_url
from .extensions import csrf, db, migrate
from .json_provider import OrjsonProvider

MIGRATIONS = Path(__file__).parent / "migrations"


def _settings(config: Mapping[str, Any] | None) -> dict[str, Any]:
    settings = from_environment(os.environ)
    if config:
        settings.update(config)
        if "DATABASE_URL" in config:
            settings["SQLALCHEMY_DATABASE_URI"] = sqlalchemy_url(config["DATABASE_URL"])
    return settings


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    """SQLite settings for several workers (django_app/settings.py sets the same ones)."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        for pragma in SQLITE_PRAGMAS:
            dbapi_connection.execute(f"PRAGMA {pragma}")


def _init_database(app: Flask) -> None:
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite" and url.database:
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS))
    with app.app_context():
        event.listen(db.engine, "connect", _tune_sqlite)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app from the environment; `config` overrides settings (tests use it)."""
    app = Flask(__name__, static_folder=STATIC_FOLDER)
    app.config.from_mapping(_settings(config))
    app.json = OrjsonProvider(app)
    security.init_app(app)
    app.jinja_env.trim_blocks = app.jinja_env.lstrip_blocks = True
    app.extensions["shared_model"] = model = load_model(app.config["MODEL_PATH"])

    _init_database(app)
    csrf.init_app(app)
    csrf.exempt(api.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    errors.register(app)

    for template_filter in (display_time, number, percent, share):
        app.add_template_filter(template_filter)
    served_by = f"Flask {version('flask')}"

    @app.context_processor
    def layout() -> dict[str, Any]:
        return {"model": model, "served_by": served_by}

    return app
