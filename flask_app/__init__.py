"""The Flask app: `create_app()`, Flask's application factory (docs/spec.md#11-commands).

flask --app flask_app db upgrade        # create or upgrade the database schema
flask --app flask_app run --port 5000
gunicorn 'flask_app:create_app()'
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask

from shared_model.artifact import load_model
from shared_web import STATIC_FOLDER

from . import api, errors, pages, security, store, templating
from .config import from_environment, sqlalchemy_url
from .extensions import csrf
from .json_provider import OrjsonProvider


def _settings(config: Mapping[str, Any] | None) -> dict[str, Any]:
    settings = from_environment(os.environ)
    if config:
        settings.update(config)
        if "DATABASE_URL" in config:
            settings["SQLALCHEMY_DATABASE_URI"] = sqlalchemy_url(config["DATABASE_URL"])
    return settings


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app from the environment; `config` overrides settings (tests use it)."""
    app = Flask(__name__, static_folder=STATIC_FOLDER)
    app.config.from_mapping(_settings(config))
    app.json = OrjsonProvider(app)
    app.extensions["shared_model"] = load_model(app.config["MODEL_PATH"])

    security.init_app(app)
    store.init_app(app)
    csrf.init_app(app)
    csrf.exempt(api.bp)
    templating.init_app(app)
    errors.init_app(app)

    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    return app
