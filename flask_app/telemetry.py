"""Request ids and traces (docs/spec.md#102-request-ids, #103-traces), Flask's way: the official
OpenTelemetry instrumentations of Flask and SQLAlchemy, request hooks, a Jinja template class,
Flask's default log handler, and the development blueprint `/_dev/spans`.

The set-up both apps share (the SDK, the request id rule, the recent spans) is shared_web's.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Flask, Response, g, request
from flask.logging import default_handler
from jinja2 import Template
from opentelemetry import trace
from opentelemetry.instrumentation.flask import FlaskInstrumentor
from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

from shared_web import telemetry
from shared_web.telemetry import REQUEST_ID_HEADER, current_request_id

SERVICE_NAME = "flask-app"
# Flask's own format, with the request's id at the end of each line.
LOG_FORMAT = "[%(asctime)s] %(levelname)s in %(module)s: %(message)s request_id=%(request_id)s"

tracer = trace.get_tracer(__name__)
request_id_filter = telemetry.RequestIdFilter()


def init_app(app: Flask) -> None:
    """Call first in `create_app`: OpenTelemetry opens the request's span in a `before_request`
    hook, and the request id is taken from it in the next one, so both must run before any other
    hook can answer (a host not allowed, the HTTPS redirect) for every answer to be traced and
    carry its id. SQLAlchemy must be instrumented before `store.init_app` makes the engine."""
    if telemetry.configure(SERVICE_NAME, development=app.config["APP_ENV"] == "development"):
        # No SQL comments naming the route: nothing here reads them, and they cost every request.
        FlaskInstrumentor.instrument_app(
            app, excluded_urls=telemetry.UNTRACED_URLS, enable_commenter=False
        )
        instrument_sqlalchemy()
        app.jinja_env.template_class = TracedTemplate
    app.before_request(bind_request_id)
    app.after_request(send_request_id)
    app.teardown_request(unbind_request_id)
    # As Flask's logging docs do: the handler Flask gives `app.logger` unless logging is
    # configured otherwise (gunicorn does not), writing to the server's error stream.
    default_handler.addFilter(request_id_filter)
    default_handler.setFormatter(logging.Formatter(LOG_FORMAT))


def instrument_sqlalchemy() -> None:
    """Trace every engine made from now on, once per process.

    The instrumentor is one object per process that instruments once: `instrument(engine=...)`
    would trace the first app's engine and ignore the next (the tests build an app per test).
    Instrumented without one, it wraps `create_engine`, which Flask-SQLAlchemy calls.

    `skip_dep_check`: the instrumentation (0.66b1) declares SQLAlchemy below 2.1 and would
    instrument nothing with the pinned 2.1; it works with it unchanged (the engine events it
    listens to are the same), which the contract suite's trace test shows.
    """
    instrumentor = SQLAlchemyInstrumentor()
    if not instrumentor.is_instrumented_by_opentelemetry:
        instrumentor.instrument(skip_dep_check=True)


class TracedTemplate(Template):
    """A Jinja template whose rendering is a span, `render NAME`: no official instrumentation
    traces Jinja. Set as the app's `jinja_env.template_class`."""

    def render(self, *args: Any, **kwargs: Any) -> str:
        with tracer.start_as_current_span(f"render {self.name}"):
            return super().render(*args, **kwargs)


def bind_request_id() -> None:
    """The request's id, for its log lines and its answer (the request's span is open by now)."""
    header = request.headers.get(REQUEST_ID_HEADER)
    g.request_id_token = current_request_id.set(telemetry.request_id(header))


def send_request_id(response: Response) -> Response:
    """`X-Request-ID` on every answer: pages, the API, errors and static files."""
    response.headers[REQUEST_ID_HEADER] = current_request_id.get()
    return response


def unbind_request_id(_error: BaseException | None) -> None:
    """After the answer; a streamed one (`stream_with_context`) tears down a second time once
    the stream ends, with nothing left to unbind."""
    token = g.pop("request_id_token", None)
    if token is not None:
        current_request_id.reset(token)


# Development only: registered by `create_app` when APP_ENV=development.
bp = Blueprint("dev", __name__, url_prefix="/_dev")


@bp.get("/spans")
def spans() -> dict[str, Any]:
    """The recent spans of every worker, newest first; `?trace_id=` keeps one trace."""
    trace_id = request.args.get("trace_id")
    return {"spans": telemetry.recent_spans(telemetry.recent_spans_path(), trace_id)}
