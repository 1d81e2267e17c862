"""One place for every error answer: JSON under /api/, a page in the site's layout elsewhere."""

from __future__ import annotations

import logging

from flask import Flask, current_app, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed

from shared_model.validation import ValidationError
from shared_web.errors import ERROR_PAGES, ApiError, is_api_path

from .extensions import db

log = logging.getLogger(__name__)

MIGRATE_COMMAND = "flask --app flask_app db upgrade"


def error_page(
    status: int, headers: dict[str, str] | None = None
) -> tuple[str, int, dict[str, str]]:
    title, message = ERROR_PAGES[status]
    return (
        render_template("error.html", title=title, message=message, status=status),
        status,
        headers or {},
    )


def api_error(error: ApiError, headers: dict[str, str] | None = None) -> ResponseReturnValue:
    return jsonify(error.payload()), error.status, headers or {}


def answer(status: int, headers: dict[str, str] | None = None) -> ResponseReturnValue:
    """The standard answer for a status: the API's JSON error, or the error page."""
    if is_api_path(request.path):
        return api_error(ApiError.of(status), headers)
    return error_page(status if status in ERROR_PAGES else 400, headers)


def allow_header(error: HTTPException) -> dict[str, str]:
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        return {"Allow": ", ".join(sorted(error.valid_methods))}
    return {}


def register(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def on_api_error(error: ApiError) -> ResponseReturnValue:
        return api_error(error)

    @app.errorhandler(ValidationError)
    def on_validation_error(error: ValidationError) -> ResponseReturnValue:
        return api_error(ApiError.from_validation(error))

    @app.errorhandler(CSRFError)
    def on_csrf_error(error: CSRFError) -> object:
        return answer(403)

    @app.errorhandler(HTTPException)
    def on_http_error(error: HTTPException) -> object:
        return answer(error.code or 500, allow_header(error))

    @app.errorhandler(SQLAlchemyError)
    def on_database_error(error: SQLAlchemyError) -> object:
        db.session.rollback()
        url = db.engine.url.render_as_string(hide_password=True)
        reason = str(getattr(error, "orig", error)).splitlines()[0]
        current_app.logger.error(
            "Database %s is not usable (%s): check that it runs, then run `%s`.",
            url,
            reason,
            MIGRATE_COMMAND,
        )
        return answer(503)

    @app.errorhandler(InternalServerError)
    def on_internal_error(error: InternalServerError) -> object:
        original = error.original_exception or error
        log.error("Unhandled error on %s %s", request.method, request.path, exc_info=original)
        return answer(500)
