"""Every error answer (docs/spec.md#5-errors): the JSON error under /api/, a page in the site's
layout elsewhere. Codes, messages, titles and sentences are shared_web's."""

from __future__ import annotations

from flask import Flask, current_app, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed

from shared_model.validation import ValidationError
from shared_web.errors import ApiError, error_page, is_api_path

from .extensions import db

MIGRATE_COMMAND = "flask --app flask_app db upgrade"

Headers = dict[str, str]
PASSED_ON_HEADERS = ("Retry-After", "WWW-Authenticate")


def api_error(error: ApiError, headers: Headers | None = None) -> ResponseReturnValue:
    return jsonify(error.payload()), error.status, headers or {}


def answer(status: int, headers: Headers | None = None) -> ResponseReturnValue:
    """The answer for an error status: the API's JSON error, or the error page (any status
    without a page of its own gets the 400 page)."""
    if is_api_path(request.path):
        return api_error(ApiError.of(status), headers)
    status, title, message = error_page(status)
    page = render_template("error.html", title=title, message=message)
    return page, status, headers or {}


def on_api_error(error: ApiError) -> ResponseReturnValue:
    return api_error(error)


def on_validation_error(error: ValidationError) -> ResponseReturnValue:
    return api_error(ApiError.from_validation(error))


def on_csrf_error(error: CSRFError) -> ResponseReturnValue:
    return answer(403)


def on_http_error(error: HTTPException) -> ResponseReturnValue:
    """Werkzeug's errors: 404, 405 with its `Allow`, 413, 400 for a host not allowed, and the
    401 (`Unauthorized` with `WWW-Authenticate: Bearer`) and 429 (`TooManyRequests` with
    `Retry-After`) of docs/spec.md#95-api-tokens and #96-limits, their headers passed on."""
    headers = {name: value for name, value in error.get_headers() if name in PASSED_ON_HEADERS}
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        headers["Allow"] = ", ".join(sorted(error.valid_methods))
    return answer(error.code or 500, headers)


def unusable_database(error: SQLAlchemyError) -> str:
    """One line naming the database (without its password) and the command that fixes it
    (docs/spec.md#54-what-goes-to-the-log); the transaction is rolled back."""
    db.session.rollback()
    url = db.engine.url.render_as_string(hide_password=True)
    reason = str(getattr(error, "orig", error)).splitlines()[0]
    return f"Database {url} is not usable ({reason}): check that it runs, then run `{MIGRATE_COMMAND}`."


def log_unusable_database(error: SQLAlchemyError) -> None:
    current_app.logger.error("%s", unusable_database(error))


def on_database_error(error: SQLAlchemyError) -> ResponseReturnValue:
    log_unusable_database(error)
    return answer(503)


def on_internal_error(error: InternalServerError) -> ResponseReturnValue:
    """500, with the request and the traceback in the log only. (In debug mode Flask lets the
    exception through to its debugger instead.)"""
    original = error.original_exception or error
    current_app.logger.error(
        "Unhandled error on %s %s", request.method, request.path, exc_info=original
    )
    return answer(500)


def init_app(app: Flask) -> None:
    app.register_error_handler(ApiError, on_api_error)
    app.register_error_handler(ValidationError, on_validation_error)
    app.register_error_handler(CSRFError, on_csrf_error)
    app.register_error_handler(HTTPException, on_http_error)
    app.register_error_handler(SQLAlchemyError, on_database_error)
    app.register_error_handler(InternalServerError, on_internal_error)
