"""Configuration from the environment (contract §1): the same variable names as the Django app."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from shared_model.artifact import DEFAULT_MODEL_PATH, VAR
from shared_web import jsoncodec
from shared_web.api_input import MAX_BODY_BYTES
from shared_web.headers import parse_allowed_hosts

DEFAULT_DATABASE_URL = f"sqlite:///{(VAR / 'flask.sqlite3').resolve()}"
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


def from_environment(environ: Mapping[str, str] = os.environ) -> dict[str, Any]:
    """Flask config keys from the contract's environment variables."""
    app_env = environ.get("APP_ENV", "development")
    if app_env not in ("development", "production"):
        raise ConfigError(f"APP_ENV must be development or production, not {app_env!r}.")
    production = app_env == "production"
    secret_key = environ.get("SECRET_KEY")
    if not secret_key:
        if production:
            raise ConfigError(
                "SECRET_KEY is not set; APP_ENV=production needs one, e.g. "
                "SECRET_KEY=$(python -c 'import secrets; print(secrets.token_urlsafe(50))')."
            )
        log.warning("SECRET_KEY is not set: using a development-only key.")
        secret_key = DEV_SECRET_KEY
    database_url = environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    return {
        "APP_ENV": app_env,
        "SECRET_KEY": secret_key,
        "MODEL_PATH": Path(environ.get("MODEL_PATH") or DEFAULT_MODEL_PATH),
        "DATABASE_URL": database_url,
        "SQLALCHEMY_DATABASE_URI": sqlalchemy_url(database_url),
        # Test each pooled server connection before use, so the app recovers by itself after the
        # database restarts (Django's CONN_HEALTH_CHECKS); a SQLite file cannot go away like that.
        "SQLALCHEMY_ENGINE_OPTIONS": {
            "pool_pre_ping": not database_url.startswith("sqlite"),
            # JSON columns written and read by orjson, the one JSON library of both apps.
            "json_serializer": jsoncodec.dumps_text,
            "json_deserializer": jsoncodec.loads,
        },
        "ALLOWED_HOSTS": parse_allowed_hosts(environ.get("ALLOWED_HOSTS")),
        "MAX_CONTENT_LENGTH": MAX_BODY_BYTES,
        "PROVIDE_AUTOMATIC_OPTIONS": False,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        "WTF_CSRF_TIME_LIMIT": None,
    }
