"""Settings, read from the environment with the Flask app's variable names
(docs/spec.md#12-environment-variables, docs/spec.md#97-settings).

Nothing here points into the source tree: the model and the SQLite database default to `var/`
in the current folder, and the templates and static files are package data. `DEBUG` is off
unless `DEBUG=1`: then Django shows its technical 404 and 500 pages; off, the error pages and
headers are the spec's, and tracebacks go to the log only.
"""

import logging
import os
from importlib.metadata import version
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from shared_model.artifact import VAR, configured_model_path
from shared_web import STATIC_FOLDER
from shared_web.api_input import MAX_BODY_BYTES
from shared_web.headers import parse_allowed_hosts
from shared_web.limits import SettingError, parse_flag, parse_hops, parse_rate
from shared_web.sqlite import PRAGMAS as SQLITE_PRAGMAS

APP_ENV = os.environ.get("APP_ENV", "development")
if APP_ENV not in ("development", "production"):
    raise ImproperlyConfigured(f"APP_ENV must be development or production, not {APP_ENV!r}.")
PRODUCTION = APP_ENV == "production"

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set; APP_ENV=production needs one, e.g. "
            "SECRET_KEY=$(python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )
    logging.getLogger(__name__).warning("SECRET_KEY is not set: using a development-only key.")
    SECRET_KEY = "dev-only-key-never-use-in-production"

DEBUG = os.environ.get("DEBUG") == "1"
ALLOWED_HOSTS = parse_allowed_hosts(os.environ.get("ALLOWED_HOSTS"))
MODEL_PATH = configured_model_path()
SERVED_BY = f"Django {version('django')}"

INSTALLED_APPS = [
    # First, so that its `runserver` (which stops with one line when the model cannot be
    # served) overrides the one of django.contrib.staticfiles.
    "django_app.predictions",
    "django_app.accounts",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    # First, so that every answer carries X-Request-ID; OpenTelemetry's middleware goes after
    # metrics_on_loopback (django_app/telemetry.py says why).
    "django_app.telemetry.request_id",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_app.predictions.middleware.content_security_policy",
    # Before any middleware that checks Host against ALLOWED_HOSTS (OpenTelemetry's, Common).
    "django_app.predictions.middleware.metrics_on_loopback",
    "django_app.predictions.middleware.limit_request_size",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_app.predictions.errors.ErrorMiddleware",
]

try:
    # `/metrics` (docs/spec.md#101-metrics): django-prometheus's app, its URL (urls.py), and its
    # two middlewares, first and last, so that they time all the others.
    METRICS_ENABLED = parse_flag(os.environ.get("METRICS_ENABLED"), "METRICS_ENABLED", default=True)
except SettingError as error:
    raise ImproperlyConfigured(str(error)) from None
if METRICS_ENABLED:
    INSTALLED_APPS.append("django_prometheus")
    MIDDLEWARE.insert(0, "django_prometheus.middleware.PrometheusBeforeMiddleware")
    MIDDLEWARE.append("django_prometheus.middleware.PrometheusAfterMiddleware")

ROOT_URLCONF = "django_app.urls"
WSGI_APPLICATION = "django_app.wsgi.application"

TEMPLATES = [
    {
        # Django's engine, each rendering traced (docs/spec.md#103-traces); named "django" as
        # Django's own backend would be.
        "BACKEND": "django_app.telemetry.DjangoTemplates",
        "NAME": "django",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django_app.predictions.context_processors.layout",
            ],
            # The template filters of both apps (shared_web/display.py), in every template
            # without a `{% load %}`.
            "builtins": ["django_app.predictions.templatetags.prediction_tags"],
        },
    },
]

DEFAULT_DATABASE_URL = f"sqlite:///{(VAR / 'django.sqlite3').resolve()}"
DATABASE_URL = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
# Each worker keeps its connection between requests (checked before reuse) rather than opening
# one per request: with SQLite a fresh connection also re-creates the WAL on its first write.
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=600, conn_health_checks=True)
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The Flask app's settings (shared_web/sqlite.py); IMMEDIATE transactions take the write
    # lock up front and wait for it, instead of failing with "database is locked" halfway.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "; ".join(f"PRAGMA {pragma}" for pragma in SQLITE_PRAGMAS),
        "transaction_mode": "IMMEDIATE",
    }
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

USE_TZ = True
TIME_ZONE = "UTC"
LANGUAGE_CODE = "en-us"

STATIC_URL = "/static/"  # inside the mount: the storage below adds the request's prefix
STATICFILES_DIRS = [STATIC_FOLDER]
# collectstatic copies the static files here, for a web server such as nginx to serve them.
STATIC_ROOT = os.environ.get("STATIC_ROOT")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django_app.storage.MountedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True  # serve straight from STATICFILES_DIRS; collectstatic is optional

# Forms over 1 MiB; predictions.middleware.limit_request_size answers any larger body with 413
# before this is reached.
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_BODY_BYTES

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "SAMEORIGIN"
# Deploy check W019 prefers DENY; the side-by-side page frames both apps from their own origin.
SILENCED_SYSTEM_CHECKS = ["security.W019"]

CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = PRODUCTION
SESSION_COOKIE_SECURE = PRODUCTION
# Sessions (docs/spec.md#93-sessions-and-cookies) are Django's defaults: the database backend
# (table django_session), a cookie that is HttpOnly and lasts SESSION_COOKIE_AGE, two weeks
# from the session's last change. Expired rows are deleted by `django-admin clearsessions`
# (run it daily, e.g. from cron); Django never uses an expired session, cleaned or not.

# Accounts (docs/spec.md#9-accounts-sessions-and-access): django.contrib.auth's User, with the
# spec's password rules in place of Django's four validators, and the default PBKDF2 hasher.
AUTH_PASSWORD_VALIDATORS = [{"NAME": "django_app.accounts.validators.SharedPasswordValidator"}]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "predictions:index"
LOGOUT_REDIRECT_URL = "predictions:index"

try:
    # true: predicting through the API needs a token too (docs/spec.md#95-api-tokens).
    API_TOKEN_REQUIRED = parse_flag(os.environ.get("API_TOKEN_REQUIRED"))
    # Predictions through the API without a token, per client address; None: no limit.
    ANONYMOUS_RATE_LIMIT = parse_rate(os.environ.get("ANONYMOUS_RATE_LIMIT"))
    # How many proxies in front append to X-Forwarded-For; the limits count by the address the
    # outermost of them saw (docs/spec.md#96-limits); by default 1 in production (nginx), 0 in development.
    TRUSTED_PROXY_HOPS = parse_hops(os.environ.get("TRUSTED_PROXY_HOPS"), 1 if PRODUCTION else 0)
except SettingError as error:
    raise ImproperlyConfigured(str(error)) from None

if TRUSTED_PROXY_HOPS > 0:
    # Behind nginx, which terminates TLS and says so in X-Forwarded-Proto (deploy/nginx.conf);
    # the app server listens on 127.0.0.1 only, so no one else can send that header.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if PRODUCTION:
    SECURE_SSL_REDIRECT = True
    # Prometheus scrapes the app server over plain HTTP on the loopback interface. Django
    # matches this against the path with the mount prefix (`django/metrics`).
    SECURE_REDIRECT_EXEMPT = [r"(^|/)metrics$"]
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
CSRF_FAILURE_VIEW = "django_app.predictions.errors.csrf_failure"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Every line says which request it was written for (docs/spec.md#102-request-ids).
    "filters": {"request_id": {"()": "shared_web.telemetry.RequestIdFilter"}},
    "formatters": {"request_id": {"format": "%(message)s request_id=%(request_id)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "request_id",
        }
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        # A request for a host not in ALLOWED_HOSTS is answered 400; it is not the app's error,
        # and Django's docs advise silencing its log line (the Flask app logs none either).
        "django.security.DisallowedHost": {"handlers": [], "propagate": False},
    },
}
