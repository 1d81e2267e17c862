"""Project middleware: the CSP header, the 1 MiB body limit, and the contract's error shapes.

Django's own settings set the other security headers (`SecurityMiddleware`,
`XFrameOptionsMiddleware`); Django 5.2 has no Content-Security-Policy setting yet.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed

from shared_model.validation import ValidationError
from shared_web.api_input import MAX_BODY_BYTES
from shared_web.errors import ApiError
from shared_web.headers import CONTENT_SECURITY_POLICY

from .errors import api_error, error_response

log = logging.getLogger(__name__)

MIGRATE_COMMAND = "django-admin migrate --settings=django_app.settings"

Handler = Callable[[HttpRequest], HttpResponse]


def content_security_policy(get_response: Handler) -> Handler:
    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        return response

    return middleware


def limit_request_size(get_response: Handler) -> Handler:
    """413 for a body over 1 MiB, before anything reads it (uploads included)."""

    def middleware(request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > MAX_BODY_BYTES:
            return error_response(request, 413)
        return get_response(request)

    return middleware


class ErrorShapes:
    """Turns what views raise (and Django's bare 405s) into the contract's error answers."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if isinstance(response, HttpResponseNotAllowed):
            allow = ", ".join(sorted(m.strip() for m in response["Allow"].split(",")))
            response = error_response(request, 405)
            response["Allow"] = allow
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, ValidationError):
            return api_error(ApiError.from_validation(exception))
        if isinstance(exception, ApiError):
            return api_error(exception)
        if isinstance(exception, DatabaseError):
            reason = str(exception).splitlines()[0] if str(exception) else type(exception).__name__
            log.error(
                "Database %s is not usable (%s): check that it runs, then run `%s`.",
                database_name(),
                reason,
                MIGRATE_COMMAND,
            )
            return error_response(request, 503)
        return None


def database_name() -> str:
    """The database as a URL-like name, without its password."""
    settings = connection.settings_dict
    if settings["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{settings['NAME']}"
    host = settings.get("HOST") or "localhost"
    port = f":{settings['PORT']}" if settings.get("PORT") else ""
    return f"postgresql://{settings.get('USER') or ''}@{host}{port}/{settings['NAME']}"
