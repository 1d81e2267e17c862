"""The jobs Django's settings cannot do: the Content-Security-Policy, the 413, and `/metrics` for
Prometheus on the loopback interface.

The other security headers come from settings (`SecurityMiddleware`, `XFrameOptionsMiddleware`;
docs/spec.md#61-security-headers). Error answers are in `errors.py`.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve

from shared_web.api_input import MAX_BODY_BYTES
from shared_web.errors import is_api_path
from shared_web.headers import CONTENT_SECURITY_POLICY, host_allowed, is_loopback_host

from .errors import error_response

Handler = Callable[[HttpRequest], HttpResponse]


def content_security_policy(get_response: Handler) -> Handler:
    """The Content-Security-Policy header on every answer: Django 5.2 has no setting for it."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        return response

    return middleware


def body_too_large(request: HttpRequest) -> bool:
    """A body over 1 MiB, by its `Content-Length` (docs/spec.md#34-request-rules).

    Django's `DATA_UPLOAD_MAX_MEMORY_SIZE` (set to the same 1 MiB) refuses a larger form or
    `request.body`, but with a 400 (`RequestDataTooBig`), and it does not count uploaded files.
    """
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    return length > MAX_BODY_BYTES


def limit_request_size(get_response: Handler) -> Handler:
    """The 413 page for a body over 1 MiB, before anything reads it.

    Not under /api/: there the token is checked first (docs/spec.md#95-api-tokens), so the API
    views answer 413 themselves when they come to read the body (`api.json_body`), as Flask's
    `MAX_CONTENT_LENGTH` does.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        if body_too_large(request) and not is_api_path(request.path_info):
            return error_response(request, 413)
        return get_response(request)

    return middleware


def metrics_on_loopback(get_response: Handler) -> Handler:
    """`GET /metrics` for a loopback `Host` that `ALLOWED_HOSTS` does not list: Prometheus
    scraping the app server's own address (docs/spec.md#101-metrics).

    Django checks `Host` against `ALLOWED_HOSTS` whenever a middleware asks for it
    (`CommonMiddleware` always does) and has no setting to allow one more host for one path, so
    this middleware answers such a request itself, with the same view `urls.py` maps. Every other
    request, and `/metrics` for an allowed host, goes the ordinary way.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        host = request.META.get("HTTP_HOST", "")
        if (
            request.path_info == "/metrics"
            and request.method in ("GET", "HEAD")
            and is_loopback_host(host)
            and not host_allowed(host, settings.ALLOWED_HOSTS)
        ):
            try:
                match = resolve(request.path_info)
            except Resolver404:
                return get_response(request)  # METRICS_ENABLED=false: the ordinary 400
            response: HttpResponse = match.func(request)
            return response
        return get_response(request)

    return middleware
