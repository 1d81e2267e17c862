"""The Flask extensions, created unbound here and bound to each app by the `init_app` calls in
`create_app` (`store.init_app` binds `db` and `migrate`, `auth.init_app` binds `login_manager`).

`model` is this app's own small extension: the model artifact that shared_model loads.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path

import click
from flask import Flask, current_app
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase

from shared_model.artifact import load_model
from shared_model.predictor import Predictor


class Base(DeclarativeBase):
    pass


# Rows stay readable after commit without a second SELECT: a view answers with the rows it has
# just stored or changed, and every value it shows is already in those objects.
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate()
csrf = CSRFProtect()

login_manager = LoginManager()
# A page that needs a login sends an anonymous visitor to the log-in page, 302 with `?next=`
# (docs/spec.md#91-pages), and flashes nothing on the way.
login_manager.login_view = "auth.login"
login_manager.login_message = None


class ModelArtifact:
    """The app's `Predictor`, loaded from `MODEL_PATH` once per process and shared by every
    request (`Predictor` is safe to share between threads).

    A server loads it while `create_app` runs, so that a missing or tampered model stops it
    before it serves anything, with shared_model's one-line message (under gunicorn: "Worker
    failed to boot"). The `flask` commands other than `run` (`db upgrade`, `routes`, `shell`)
    build the app without loading it: they work with no trained model and do not import
    scikit-learn (docs/spec.md#13-starting-and-refusing-to-start). Should such a command ask for
    the model, it is loaded then.
    """

    def init_app(self, app: Flask) -> None:
        path = Path(app.config["MODEL_PATH"])
        app.extensions["model"] = load = cache(lambda: load_model(path))
        if not _building_for_a_flask_command():
            load()  # now: a server without a usable model must not start

    @property
    def predictor(self) -> Predictor:
        """The current app's model."""
        load: Callable[[], Predictor] = current_app.extensions["model"]
        return load()


def _building_for_a_flask_command() -> bool:
    """Whether the `flask` command line is building the app for a command other than `run`.

    The `flask` command builds the app inside a click context: the command's own (`run`, or
    `upgrade` for `flask db upgrade`), or the top-level one when it loads the app to find a
    command the app adds, such as Flask-Migrate's `db`. gunicorn calling `create_app()`, a test,
    or the side-by-side process build it outside any click context.
    """
    context = click.get_current_context(silent=True)
    return context is not None and context.info_name != "run"


model = ModelArtifact()


def current_model() -> Predictor:
    """The model of the app handling the current request."""
    return model.predictor
