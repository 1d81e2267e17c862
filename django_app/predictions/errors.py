"""One place for every error answer: JSON under /api/, a page in the site's layout elsewhere."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from shared_web.errors import ERROR_PAGES, ApiError, is_api_path

from .responses import JsonBytesResponse


def api_error(error: ApiError) -> HttpResponse:
    return JsonBytesResponse(error.payload(), status=error.status)


def error_response(request: HttpRequest, status: int) -> HttpResponse:
    """The standard answer for a status: the API's JSON error, or the error page."""
    if is_api_path(request.path_info):
        return api_error(ApiError.of(status))
    status = status if status in ERROR_PAGES else 400
    title, message = ERROR_PAGES[status]
    context = {"title": title, "message": message, "status": status}
    return HttpResponse(render_to_string("predictions/error.html", context, request), status=status)
