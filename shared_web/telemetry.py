"""OpenTelemetry for both apps, free of any framework (docs/spec.md#102-request-ids and
#103-traces): the SDK set up once per process, the request id and the log field that carries it,
and the recent spans that `GET /_dev/spans` shows in development.

Each app calls `configure` while it builds, then hands its framework to the official
instrumentation (flask_app/telemetry.py, django_app/telemetry.py). shared_model makes its spans
through the OpenTelemetry API alone, as a library should; they land in whatever provider the
process set up here.
"""

from __future__ import annotations

import logging
import os
import re
import sqlite3
import threading
import uuid
from collections.abc import Mapping, Sequence
from contextlib import closing
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from opentelemetry import trace
from opentelemetry.environment_variables import OTEL_TRACES_EXPORTER
from opentelemetry.sdk.environment_variables import (
    OTEL_EXPORTER_OTLP_ENDPOINT,
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
    OTEL_SDK_DISABLED,
)
from opentelemetry.sdk.resources import SERVICE_NAME, OTELResourceDetector, Resource
from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SimpleSpanProcessor,
    SpanExporter,
    SpanExportResult,
)
from opentelemetry.trace import SpanContext

from shared_model.artifact import VAR
from shared_model.schema import format_time

from . import jsoncodec

REQUEST_ID_HEADER = "X-Request-ID"
UNTRACED_URLS = r"/_dev/spans(\?|$),/metrics(\?|$)"
"""The instrumentations' `excluded_urls`: regular expressions searched for in the whole URL (with
the mount prefix; Flask's with the query string too), so that a page polling these two sees only
the requests it watches."""

DEFAULT_RECENT_SPANS_PATH = VAR / "recent-spans.sqlite3"
RECENT_SPANS_KEPT = 500

# Tracing


def tracing_enabled(environ: Mapping[str, str] = os.environ) -> bool:
    """False when `OTEL_SDK_DISABLED=true`, read as the SDK reads it."""
    return environ.get(OTEL_SDK_DISABLED, "").strip().lower() != "true"


def resource(service_name: str) -> Resource:
    """The process's resource: named by `OTEL_SERVICE_NAME` (or `service.name` in
    `OTEL_RESOURCE_ATTRIBUTES`) when set, else by the app (`flask-app`, `django-app`).

    `Resource.create` lets its argument override those variables, so they are merged once more
    on top of the app's default.
    """
    return Resource.create({SERVICE_NAME: service_name}).merge(OTELResourceDetector().detect())


def span_processors(
    development: bool, environ: Mapping[str, str] = os.environ
) -> list[SpanProcessor]:
    """Where finished spans go: to an OTLP collector over HTTP when an endpoint is set, to
    standard output with `OTEL_TRACES_EXPORTER=console`, and in development to the recent spans
    unless `OTEL_TRACES_EXPORTER=none`. With none of them the spans are still recorded (request
    ids are trace ids), just not kept.
    """
    exporters = {name.strip() for name in environ.get(OTEL_TRACES_EXPORTER, "otlp").split(",")}
    processors: list[SpanProcessor] = []
    endpoint = environ.get(OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) or environ.get(
        OTEL_EXPORTER_OTLP_ENDPOINT
    )
    if "otlp" in exporters and endpoint:
        # Imported only when used: it brings requests and protobuf into the process.
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        processors.append(BatchSpanProcessor(OTLPSpanExporter()))
    if "console" in exporters:
        processors.append(BatchSpanProcessor(ConsoleSpanExporter()))
    if development and "none" not in exporters:
        processors.append(SimpleSpanProcessor(RecentSpansExporter(recent_spans_path(environ))))
    return processors


_provider_lock = threading.Lock()
_provider: TracerProvider | None = None


def configure(service_name: str, development: bool) -> bool:
    """Set the process's tracer provider, once: the side-by-side process builds both apps and
    the tests build hundreds, and each further call would add its exporters again. Returns
    whether tracing is on, so that the app instruments its framework only then."""
    global _provider
    if not tracing_enabled():
        return False
    with _provider_lock:
        if _provider is None:
            _provider = TracerProvider(resource=resource(service_name))
            for processor in span_processors(development):
                _provider.add_span_processor(processor)
            trace.set_tracer_provider(_provider)
    return True


# Request ids

_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

current_request_id: ContextVar[str] = ContextVar("current_request_id", default="-")
"""The id of the request being handled, set by each app's hooks; `-` outside any request."""


def request_id(header_value: str | None) -> str:
    """The request's id: its own `X-Request-ID` when sane (1 to 64 of `A-Z a-z 0-9 . _ -`), else
    the trace id of the current span (32 lowercase hex digits), else (tracing off, or a request
    that is not traced) a random id of the same form."""
    if header_value is not None and _SANE_REQUEST_ID.fullmatch(header_value):
        return header_value
    context = trace.get_current_span().get_span_context()
    if context.is_valid:
        return trace.format_trace_id(context.trace_id)
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Gives every log record a `request_id` field for the handler's format to show.

    Install it on handlers, not loggers: a logger's filters skip the records its children pass
    up, and the apps log from many modules.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id.get()
        return True


# The recent spans (development only)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS span (
    id INTEGER PRIMARY KEY,
    trace_id TEXT NOT NULL,
    span_id TEXT NOT NULL,
    parent_id TEXT,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    service TEXT NOT NULL,
    start_ns INTEGER NOT NULL,
    duration_ms REAL NOT NULL,
    status TEXT NOT NULL,
    attributes TEXT NOT NULL
)
"""
_INSERT = (
    "INSERT INTO span (trace_id, span_id, parent_id, name, kind, service, start_ns, duration_ms,"
    " status, attributes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_PRUNE = "DELETE FROM span WHERE id <= (SELECT max(id) FROM span) - ?"
_SELECT = (
    "SELECT trace_id, span_id, parent_id, name, kind, service, start_ns, duration_ms, status,"
    " attributes FROM span WHERE :trace_id IS NULL OR trace_id = :trace_id"
    " ORDER BY id DESC LIMIT :limit"
)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def recent_spans_path(environ: Mapping[str, str] = os.environ) -> Path:
    """`RECENT_SPANS_PATH`, else `var/recent-spans.sqlite3` in the current folder."""
    return Path(environ.get("RECENT_SPANS_PATH") or DEFAULT_RECENT_SPANS_PATH)


_PRAGMAS = (
    # Every worker writes while another reads; a writer waits for another's commit.
    "PRAGMA journal_mode=WAL",
    "PRAGMA busy_timeout=10000",
    # A commit does not wait for the disk: a span is written in the request that ends it, and
    # losing the last ones to a power cut costs nothing (the apps' databases keep NORMAL).
    "PRAGMA synchronous=OFF",
)


def _open(path: Path) -> sqlite3.Connection:
    """A connection to the recent spans, the table created if need be.

    `sqlite3.Connection` itself, not `sqlite3.connect`: the sqlite3 instrumentation wraps
    `connect`, and writing a span must not make spans of its own.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    database = sqlite3.Connection(path, check_same_thread=False)
    for pragma in _PRAGMAS:
        database.execute(pragma)
    database.execute(_SCHEMA)
    return database


def _row(span: ReadableSpan, context: SpanContext) -> tuple[object, ...]:
    start, end = span.start_time or 0, span.end_time or 0  # both set once a span has ended
    return (
        trace.format_trace_id(context.trace_id),
        trace.format_span_id(context.span_id),
        trace.format_span_id(span.parent.span_id) if span.parent else None,
        span.name,
        span.kind.name,
        str(span.resource.attributes.get(SERVICE_NAME, "")),
        start,
        (end - start) / 1e6,
        span.status.status_code.name,
        jsoncodec.dumps_text(dict(span.attributes or {})),
    )


class RecentSpansExporter(SpanExporter):
    """Writes each finished span as a row of one SQLite file that every worker process shares.

    Each process deletes the rows beyond the newest `RECENT_SPANS_KEPT` once every
    `PRUNE_EVERY` spans it writes, not at each one (which would double the cost of a span), so
    the file holds a few hundred more; `recent_spans` answers the newest 500.

    Each process opens its own connection when it first writes: one opened before a fork
    belongs to the parent, and SQLite must not be used through it from the child.
    """

    PRUNE_EVERY = 100

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()  # the development servers answer from several threads
        self._database: sqlite3.Connection | None = None
        self._pid = 0
        self._unpruned = 0

    def _connection(self) -> sqlite3.Connection:
        if self._database is None or self._pid != os.getpid():
            self._database, self._pid, self._unpruned = _open(self.path), os.getpid(), 0
        return self._database

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        rows = [_row(span, span.context) for span in spans if span.context is not None]
        with self._lock:
            database = self._connection()
            self._unpruned += len(rows)
            with database:  # one transaction: committed, or rolled back on an error
                database.executemany(_INSERT, rows)
                if self._unpruned >= self.PRUNE_EVERY:
                    database.execute(_PRUNE, (RECENT_SPANS_KEPT,))
                    self._unpruned = 0
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        with self._lock:
            if self._database is not None and self._pid == os.getpid():
                self._database.close()
            self._database = None


def recent_spans(
    path: Path, trace_id: str | None = None, limit: int = RECENT_SPANS_KEPT
) -> list[dict[str, Any]]:
    """The spans in the file, newest (the last to end) first, as `GET /_dev/spans` answers them;
    only those of `trace_id` if given."""
    with closing(_open(path)) as database:
        database.row_factory = sqlite3.Row
        rows = database.execute(_SELECT, {"trace_id": trace_id, "limit": limit}).fetchall()
    return [_span_json(row) for row in rows]


def _span_json(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "trace_id": row["trace_id"],
        "span_id": row["span_id"],
        "parent_id": row["parent_id"],
        "name": row["name"],
        "kind": row["kind"],
        "service": row["service"],
        "start": format_time(_EPOCH + timedelta(microseconds=row["start_ns"] // 1000)),
        "duration_ms": row["duration_ms"],
        "status": row["status"],
        "attributes": jsoncodec.loads(row["attributes"]),
    }
