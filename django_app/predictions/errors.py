"""Every error answer of the app, in one place (docs/spec.md#5-errors): the API's JSON error
under /api/, a page in the site's layout everywhere else.

Django asks for error handling in three places, and each one points here:

- `handler400` ... `handler500` in the root URLconf (`django_app/urls.py`): errors Django meets
  itself (an unknown path, `Http404`, `PermissionDenied`, a host not allowed, an uncaught
  exception);
- `CSRF_FAILURE_VIEW` in the settings: a form posted without a valid CSRF token;
- `ErrorMiddleware`, in `MIDDLEWARE`: what views raise on purpose (the API's `ApiError`, the
  model's `ValidationError` and the limits' `TooManyRequests`), an unusable database, and the
  bare 405s of Django's `require_http_methods` decorators.

With `DEBUG` on, Django shows its technical 404 and 500 pages instead of `handler404` and
`handler500`, and this CSRF view defers to Django's own page, which says why the token was
refused. So with `DEBUG` on, a 404 or 500 under /api/ is an HTML page too (Flask's debug mode
keeps the app's error handlers); the errors views raise on purpose (`ApiError`, validation, the
503) stay as specified. Without `DEBUG`, every answer is the spec's.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render
from django.views import csrf

from shared_model.validation import ValidationError
from shared_web.errors import ApiError, error_page, is_api_path

from .responses import JsonBytesResponse

log = logging.getLogger(__name__)

MIGRATE_COMMAND = "django-admin migrate --settings=django_app.settings"


class TooManyRequests(Exception):
    """A limit was reached (docs/spec.md#96-limits): 429, the JSON error or the error page, with
    `Retry-After` giving the seconds until the limit lets the client try again."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Too many requests; retry after {retry_after} s.")
        self.retry_after = retry_after


def api_error(error: ApiError) -> HttpResponse:
    response = JsonBytesResponse(error.payload(), status=error.status)
    if error.status == 401:
        # The scheme the API takes (RFC 6750), on every 401 (docs/spec.md#95-api-tokens).
        response["WWW-Authenticate"] = "Bearer"
    return response


def error_response(request: HttpRequest, status: int) -> HttpResponse:
    """The answer for an error status: the API's JSON error, or the error page."""
    if is_api_path(request.path_info):
        return api_error(ApiError.of(status))
    status, title, message = error_page(status)
    context = {"title": title, "message": message}
    if status == 503:
        # The layout's nav names a logged-in user, which reads the session from the database;
        # the database is what cannot be used, so this page shows the anonymous nav.
        context["user"] = AnonymousUser()
    return render(request, "predictions/error.html", context, status=status)


# The views Django calls for errors (urls.handler400 ... handler500, settings.CSRF_FAILURE_VIEW).


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(request, 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(request, 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    return error_response(request, 500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """403 "Form expired" for a form without a valid CSRF token (docs/spec.md#44-forms)."""
    if settings.DEBUG:
        return csrf.csrf_failure(request, reason)
    return error_response(request, 403)


class ErrorMiddleware:
    """Turns what views raise, and Django's bare 405s, into the spec's error answers."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if isinstance(response, HttpResponseNotAllowed):
            # `require_http_methods` answers 405 with an empty body; the spec's 405 is the page
            # or the JSON error, and lists the methods in alphabetical order.
            allow = ", ".join(sorted(m.strip() for m in response["Allow"].split(",")))
            response = error_response(request, 405)
            response["Allow"] = allow
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, ValidationError):
            return api_error(ApiError.from_validation(exception))
        if isinstance(exception, ApiError):
            return api_error(exception)
        if isinstance(exception, TooManyRequests):
            response = error_response(request, 429)
            response["Retry-After"] = str(exception.retry_after)
            return response
        if isinstance(exception, DatabaseError):
            # One line that says what to do, not a traceback (docs/spec.md#54-what-goes-to-the-log).
            reason = str(exception).splitlines()[0] if str(exception) else type(exception).__name__
            log.error(
                "Database %s is not usable (%s): check that it runs, then run `%s`.",
                database_name(),
                reason,
                MIGRATE_COMMAND,
            )
            return error_response(request, 503)
        return None  # Django's own handling: handler404, handler500, or with DEBUG its pages


def database_name() -> str:
    """The database as a URL-like name, without its password."""
    database = connection.settings_dict
    if database["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{database['NAME']}"
    host = database.get("HOST") or "localhost"
    port = f":{database['PORT']}" if database.get("PORT") else ""
    return f"postgresql://{database.get('USER') or ''}@{host}{port}/{database['NAME']}"
