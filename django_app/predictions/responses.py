"""The two kinds of answer this app sends that Django does not ship ready-made."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse, HttpResponseRedirect

from shared_web import jsoncodec


class JsonBytesResponse(HttpResponse):
    """A JSON answer written by `shared_web.jsoncodec` (orjson), as the Flask app's are.

    Both apps must send the same bytes for the same answer (docs/spec.md#31-conventions).
    Django's `JsonResponse` writes through the standard json module (spaces after `,` and `:`,
    `\\u` escapes) and takes only a `json.JSONEncoder` class to change that, so this subclasses
    `HttpResponse` instead; keyword arguments (`status`, `headers`, ...) are `HttpResponse`'s.
    """

    def __init__(self, data: Any, **kwargs: Any) -> None:
        kwargs.setdefault("content_type", jsoncodec.MEDIA_TYPE)
        super().__init__(jsoncodec.dumps(data), **kwargs)


class HttpResponseSeeOther(HttpResponseRedirect):
    """303 See Other: after a form's POST the browser GETs the new page (docs/spec.md#42-routes).

    Django has shortcuts for 301 and 302 only (`redirect(..., permanent=...)`); a subclass that
    changes the status is how its own `HttpResponsePermanentRedirect` is written.
    """

    status_code = 303
