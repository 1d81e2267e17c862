"""Request ids and traces (docs/spec.md#102-request-ids, #103-traces), Django's way: the official
OpenTelemetry instrumentations of Django and of the database driver (sqlite3 or psycopg), a
middleware, a template backend, and the development view `/_dev/spans`.

The set-up both apps share (the SDK, the request id rule, the recent spans) is shared_web's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.signals import request_finished
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.template.backends import django as django_backend
from django.utils.safestring import SafeString
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe
from opentelemetry import trace
from opentelemetry.instrumentation.django import DjangoInstrumentor
from opentelemetry.instrumentation.psycopg import PsycopgInstrumentor
from opentelemetry.instrumentation.sqlite3 import SQLite3Instrumentor

from django_app.predictions.responses import JsonBytesResponse
from shared_web import telemetry
from shared_web.telemetry import REQUEST_ID_HEADER, current_request_id

SERVICE_NAME = "django-app"
BEFORE_TRACING = "django_app.predictions.middleware.metrics_on_loopback"
DATABASE_INSTRUMENTORS = {
    "django.db.backends.sqlite3": SQLite3Instrumentor,
    "django.db.backends.postgresql": PsycopgInstrumentor,
}

tracer = trace.get_tracer(__name__)

Handler = Callable[[HttpRequest], HttpResponse]


def instrument() -> None:
    """Trace this process's requests and queries; `wsgi.py` calls it before it builds the WSGI
    app, as OpenTelemetry's Django docs ask: the instrumentation adds its middleware to
    `settings.MIDDLEWARE`, which Django reads when it builds its request handler.

    OpenTelemetry's middleware reads the request's host, which raises DisallowedHost for a host
    not allowed (opentelemetry-python-contrib issue 1781), and so answers that request itself
    with Django's 400. It goes right after the middlewares that put headers on every answer
    (`request_id` first, the security headers), so that this 400 gets them too, and after
    `metrics_on_loopback`, which answers Prometheus's scrapes from a loopback host that
    `ALLOWED_HOSTS` leaves out (those are not traced anyway). The one request it cannot see is
    the one SecurityMiddleware redirects to HTTPS.
    """
    if not telemetry.configure(SERVICE_NAME, development=settings.APP_ENV == "development"):
        return
    DjangoInstrumentor().instrument(
        excluded_urls=telemetry.UNTRACED_URLS,
        middleware_position=settings.MIDDLEWARE.index(BEFORE_TRACING) + 1,
        request_hook=bind_trace_request_id,
    )
    DATABASE_INSTRUMENTORS[settings.DATABASES["default"]["ENGINE"]]().instrument()


def request_id(get_response: Handler) -> Handler:
    """`X-Request-ID` on every answer, and the same id in the log lines written meanwhile.

    First in `MIDDLEWARE`, so that it wraps every other middleware's answers, errors included.
    Until OpenTelemetry's middleware opens the request's span, a request without a sane id of
    its own has a random one; `bind_trace_request_id` then gives it the trace id.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        current_request_id.set(telemetry.request_id(request.headers.get(REQUEST_ID_HEADER)))
        response = get_response(request)
        response.headers[REQUEST_ID_HEADER] = current_request_id.get()
        return response

    return middleware


def bind_trace_request_id(_span: trace.Span, request: HttpRequest) -> None:
    """OpenTelemetry's `request_hook`, called once the request's span is current."""
    current_request_id.set(telemetry.request_id(request.headers.get(REQUEST_ID_HEADER)))


@receiver(request_finished)
def forget_request_id(**_kwargs: Any) -> None:
    """The id stays until Django has finished the request, not just the middleware: Django logs
    an error answer ("Service Unavailable: /model") after the middleware has returned it, and a
    streamed answer is written after that."""
    current_request_id.set("-")


class TracedTemplate(django_backend.Template):
    """A template of the backend below, whose rendering is a span."""

    def render(
        self, context: dict[str, Any] | None = None, request: HttpRequest | None = None
    ) -> SafeString:
        with tracer.start_as_current_span(f"render {self.template.name}"):
            return super().render(context, request)


class DjangoTemplates(django_backend.DjangoTemplates):
    """Django's template engine, each rendering a span, `render NAME`: no official
    instrumentation traces Django's templates. Named in `TEMPLATES["BACKEND"]`."""

    def get_template(self, template_name: str) -> TracedTemplate:
        return TracedTemplate(super().get_template(template_name).template, self)


@csrf_exempt  # it takes no unsafe method: a POST gets the 405 that Flask gives it, not a 403
@require_safe
def recent_spans(request: HttpRequest) -> HttpResponse:
    """The recent spans of every worker, newest first; `?trace_id=` keeps one trace.
    In `urls.py` in development only."""
    trace_id = request.GET.get("trace_id")
    spans = telemetry.recent_spans(telemetry.recent_spans_path(), trace_id)
    return JsonBytesResponse({"spans": spans})
