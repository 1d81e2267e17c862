"""Configuration from the environment: the variable names both apps share
(docs/spec.md#12-environment-variables and #97-settings), turned into Flask's config keys."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from shared_model.artifact import configured_model_path
from shared_web import jsoncodec
from shared_web.api_input import MAX_BODY_BYTES
from shared_web.headers import parse_allowed_hosts
from shared_web.limits import SettingError, parse_flag, parse_hops, parse_rate

DEV_SECRET_KEY = "dev-only-key-never-use-in-production"

log = logging.getLogger(__name__)


class ConfigError(RuntimeError):
    """A setting that stops the app from starting; the message says which and how to fix it."""


def sqlalchemy_url(database_url: str) -> str:
    """`DATABASE_URL` as SQLAlchemy wants it: PostgreSQL through psycopg 3, not psycopg2."""
    url = make_url(database_url)
    if url.drivername in ("postgres", "postgresql"):
        url = url.set(drivername="postgresql+psycopg")
    return url.render_as_string(hide_password=False)


def database_settings(database_url: str) -> dict[str, Any]:
    """Flask-SQLAlchemy's keys for one `DATABASE_URL`."""
    return {
        "DATABASE_URL": database_url,
        "SQLALCHEMY_DATABASE_URI": sqlalchemy_url(database_url),
        "SQLALCHEMY_ENGINE_OPTIONS": {
            # JSON columns written and read by orjson, the one JSON library of both apps.
            "json_serializer": jsoncodec.dumps_text,
            "json_deserializer": jsoncodec.loads,
            # Test a pooled server connection before use, so that the app recovers by itself
            # after PostgreSQL restarts (docs/spec.md#74-postgresql-and-connections); a SQLite
            # file cannot go away like that, and the ping would cost every request.
            "pool_pre_ping": make_url(database_url).get_backend_name() != "sqlite",
        },
    }


def access_settings(production: bool) -> dict[str, Any]:
    """The settings of docs/spec.md#97-settings, and how long a session lasts."""
    try:
        token_required = parse_flag(os.environ.get("API_TOKEN_REQUIRED"))
        rate = parse_rate(os.environ.get("ANONYMOUS_RATE_LIMIT"))
        hops = parse_hops(os.environ.get("TRUSTED_PROXY_HOPS"), default=1 if production else 0)
    except SettingError as error:
        raise ConfigError(str(error)) from None
    return {
        "API_TOKEN_REQUIRED": token_required,
        "ANONYMOUS_RATE_LIMIT": rate,
        # Behind nginx in production (docs/spec.md#62-production); with no proxy in front,
        # trusting X-Forwarded-For would let any client choose the address it is counted by.
        "TRUSTED_PROXY_HOPS": hops,
        # A session lasts 14 days from its last change (docs/spec.md#93-sessions-and-cookies).
        "PERMANENT_SESSION_LIFETIME": timedelta(days=14),
        # Werkzeug's default, a salted and slow hash; the tests pass a fast one.
        "PASSWORD_HASH_METHOD": "scrypt",
    }


def metrics_enabled() -> bool:
    """`METRICS_ENABLED` (docs/spec.md#105-settings): on unless set to false."""
    try:
        return parse_flag(os.environ.get("METRICS_ENABLED"), "METRICS_ENABLED", default=True)
    except SettingError as error:
        raise ConfigError(str(error)) from None


def from_environment(instance_path: str) -> dict[str, Any]:
    """Flask's config from the environment variables of docs/spec.md#12-environment-variables.

    The default database is `flask.sqlite3` in Flask's instance folder, never in the source tree.
    """
    app_env = os.environ.get("APP_ENV", "development")
    if app_env not in ("development", "production"):
        raise ConfigError(f"APP_ENV must be development or production, not {app_env!r}.")
    production = app_env == "production"
    secret_key = os.environ.get("SECRET_KEY")
    if not secret_key:
        if production:
            raise ConfigError(
                "SECRET_KEY is not set; APP_ENV=production needs one, e.g. "
                "SECRET_KEY=$(python -c 'import secrets; print(secrets.token_urlsafe(50))')."
            )
        log.warning("SECRET_KEY is not set: using a development-only key.")
        secret_key = DEV_SECRET_KEY
    default_database = f"sqlite:///{Path(instance_path, 'flask.sqlite3')}"
    settings = {
        "APP_ENV": app_env,
        "SECRET_KEY": secret_key,
        "MODEL_PATH": configured_model_path(),
        **database_settings(os.environ.get("DATABASE_URL") or default_database),
        "ALLOWED_HOSTS": parse_allowed_hosts(os.environ.get("ALLOWED_HOSTS")),
        "MAX_CONTENT_LENGTH": MAX_BODY_BYTES,
        # No automatic OPTIONS answers: OPTIONS is a 405 like any method a route does not take.
        "PROVIDE_AUTOMATIC_OPTIONS": False,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        # The CSRF token lasts as long as the session cookie behind it (docs/spec.md#82-what-
        # each-server-words-its-own-way), not one hour: a form left open is still accepted.
        "WTF_CSRF_TIME_LIMIT": None,
        **access_settings(production),
        "METRICS_ENABLED": metrics_enabled(),
    }
    # DEBUG=1 turns on Flask's debug mode. Unset, DEBUG is Flask's own default: off, unless
    # `flask run --debug` (or FLASK_DEBUG=1) turns it on with the debugger and the reloader.
    if "DEBUG" in os.environ:
        settings["DEBUG"] = os.environ["DEBUG"] == "1"
    return settings


def load(instance_path: str, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The environment's settings, then `overrides`: Flask config keys, or `DATABASE_URL` (the
    tests give each app a database, and so does the side-by-side process)."""
    settings = from_environment(instance_path)
    overrides = dict(overrides or {})
    if "DATABASE_URL" in overrides:
        settings.update(database_settings(str(overrides.pop("DATABASE_URL"))))
    settings.update(overrides)
    return settings
