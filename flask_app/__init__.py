"""The Flask app: `create_app()`, Flask's application factory (docs/spec.md#11-commands).

flask --app flask_app db upgrade        # create or upgrade the database schema
flask --app flask_app run --debug       # the development server, with debugger and reloader
flask --app flask_app create-staff ann  # a staff account (asks for its password twice)
flask --app flask_app clear-sessions    # delete the expired sessions (daily, e.g. from cron)
gunicorn 'flask_app:create_app()'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from shared_web import STATIC_FOLDER

from . import (
    api,
    auth,
    config,
    errors,
    metrics,
    ownership,
    pages,
    security,
    sessions,
    store,
    telemetry,
    templating,
)
from .extensions import csrf, model
from .json_provider import OrjsonProvider


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app from the environment; `test_config` overrides settings (tests use it)."""
    # The static route is added once the config is in: Flask would add it in its constructor,
    # before PROVIDE_AUTOMATIC_OPTIONS=False, and answer OPTIONS on every static file
    # (docs/spec.md#53-methods-and-ids).
    app = Flask(__name__, static_folder=None)
    app.config.from_mapping(config.load(app.instance_path, test_config))
    app.static_folder = STATIC_FOLDER
    app.add_url_rule(
        f"{app.static_url_path}/<path:filename>", "static", view_func=app.send_static_file
    )
    app.json = OrjsonProvider(app)

    telemetry.init_app(app)  # first: every answer traced and given its id
    security.init_app(app)
    metrics.init_app(app)
    store.init_app(app)
    sessions.init_app(app)
    csrf.init_app(app)
    csrf.exempt(api.bp)  # the API is not cookie-authenticated (docs/spec.md#31-conventions)
    auth.init_app(app)
    ownership.init_app(app)
    model.init_app(app)
    templating.init_app(app)
    errors.init_app(app)

    app.register_blueprint(pages.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(api.bp)
    if app.config["APP_ENV"] == "development":
        app.register_blueprint(telemetry.bp)  # GET /_dev/spans
    return app
