"""shared_web/telemetry.py: the request id rule and its log field, where spans go, the SDK set up
once per process, and the recent spans (docs/spec.md#102-request-ids, #103-traces)."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SimpleSpanProcessor,
)

from shared_web import telemetry
from shared_web.telemetry import (
    RECENT_SPANS_KEPT,
    RecentSpansExporter,
    RequestIdFilter,
    current_request_id,
    recent_spans,
    request_id,
)

HEX32 = re.compile(r"[0-9a-f]{32}")
START_NS = 1_767_225_600_123_456_789  # 2026-01-01T00:00:00.123456789Z


@pytest.fixture
def tracer():
    """A tracer of a provider of the test's own (the process's is the suite's)."""
    return TracerProvider(resource=telemetry.resource("test-service")).get_tracer("tests")


# Request ids


@pytest.mark.parametrize("sane", ["a", "req-1.A_b", "x" * 64, "0af7651916cd43dd8448eb211c80319c"])
def test_a_sane_request_id_is_kept(sane):
    assert request_id(sane) == sane


@pytest.mark.parametrize("insane", ["", "x" * 65, "two words", "a/b", "é", "id\n"])
def test_an_insane_request_id_gives_way_to_the_trace_id(tracer, insane):
    with tracer.start_as_current_span("request") as span:
        assert request_id(insane) == trace.format_trace_id(span.get_span_context().trace_id)


def test_without_a_request_id_the_trace_id_is_the_id(tracer):
    with tracer.start_as_current_span("request") as span:
        assert request_id(None) == trace.format_trace_id(span.get_span_context().trace_id)


def test_without_a_span_the_id_is_random_32_hex_digits():
    first, second = request_id(None), request_id("bad id")
    assert HEX32.fullmatch(first) and HEX32.fullmatch(second)
    assert first != second


def test_a_log_record_written_during_a_request_carries_its_id():
    record = logging.makeLogRecord({"msg": "hello"})
    token = current_request_id.set("req-1")
    try:
        assert RequestIdFilter().filter(record)
    finally:
        current_request_id.reset(token)
    assert record.request_id == "req-1"


def test_a_log_record_written_outside_a_request_has_a_dash():
    record = logging.makeLogRecord({"msg": "hello"})
    assert RequestIdFilter().filter(record)
    assert record.request_id == "-"


# Where spans go


@pytest.mark.parametrize(("value", "enabled"), [("", True), ("false", True), (" True ", False)])
def test_otel_sdk_disabled_true_turns_tracing_off(value, enabled):
    assert telemetry.tracing_enabled({"OTEL_SDK_DISABLED": value}) is enabled


def test_the_service_is_named_by_the_app_by_default(monkeypatch):
    monkeypatch.delenv("OTEL_SERVICE_NAME", raising=False)
    monkeypatch.delenv("OTEL_RESOURCE_ATTRIBUTES", raising=False)
    assert telemetry.resource("flask-app").attributes["service.name"] == "flask-app"


def test_otel_service_name_names_the_service(monkeypatch):
    monkeypatch.setenv("OTEL_SERVICE_NAME", "predictions-eu")
    assert telemetry.resource("flask-app").attributes["service.name"] == "predictions-eu"


def destinations(development: bool, **environ: str) -> list[tuple[type, type]]:
    """What `span_processors` sets up: (processor, exporter) kinds; the processors are shut
    down (a batch processor starts a thread)."""
    processors = telemetry.span_processors(development, environ)
    kinds = [(type(p), type(p.span_exporter)) for p in processors]
    for processor in processors:
        processor.shutdown()
    return kinds


def test_without_variables_production_spans_go_nowhere():
    assert destinations(development=False) == []


@pytest.mark.parametrize(
    "variable", ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"]
)
def test_an_otlp_endpoint_sends_spans_there_in_batches(variable):
    kinds = destinations(development=False, **{variable: "http://127.0.0.1:4318"})
    assert kinds == [(BatchSpanProcessor, OTLPSpanExporter)]


def test_otel_traces_exporter_console_prints_them():
    kinds = destinations(development=False, OTEL_TRACES_EXPORTER="console")
    assert kinds == [(BatchSpanProcessor, ConsoleSpanExporter)]


def test_development_writes_each_span_to_the_recent_spans():
    assert destinations(development=True) == [(SimpleSpanProcessor, RecentSpansExporter)]


def test_otel_traces_exporter_none_keeps_even_the_recent_spans_off():
    assert destinations(development=True, OTEL_TRACES_EXPORTER="none") == []


def test_the_recent_spans_are_in_var_unless_recent_spans_path_says():
    assert telemetry.recent_spans_path({}) == Path("var/recent-spans.sqlite3")
    assert telemetry.recent_spans_path({"RECENT_SPANS_PATH": "/tmp/s.db"}) == Path("/tmp/s.db")


def run_python(code: str, **environ: str) -> subprocess.CompletedProcess[str]:
    """A fresh process: one tracer provider per process is what is tested."""
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, **environ},
        check=True,
    )


def test_configuring_twice_in_one_process_keeps_the_first_set_up(tmp_path):
    code = (
        "from opentelemetry import trace\n"
        "from shared_web import telemetry\n"
        "print(telemetry.configure('flask-app', True), telemetry.configure('django-app', True))\n"
        "trace.get_tracer('t').start_span('one').end()\n"
        "print([s['service'] for s in telemetry.recent_spans(telemetry.recent_spans_path())])\n"
    )
    result = run_python(code, RECENT_SPANS_PATH=str(tmp_path / "spans.sqlite3"))
    assert result.stdout.splitlines() == ["True True", "['flask-app']"]


def test_with_the_sdk_disabled_configure_sets_no_provider():
    code = (
        "from opentelemetry import trace\n"
        "from shared_web import telemetry\n"
        "print(telemetry.configure('flask-app', True), type(trace.get_tracer_provider()).__name__)\n"
    )
    result = run_python(code, OTEL_SDK_DISABLED="true")
    assert result.stdout.splitlines() == ["False ProxyTracerProvider"]


# The recent spans


@pytest.fixture
def spans_file(tmp_path):
    return tmp_path / "recent-spans.sqlite3"


@pytest.fixture
def recording(spans_file):
    """A tracer whose spans go to the recent spans in `spans_file`, as in development."""
    provider = TracerProvider(resource=telemetry.resource("test-service"))
    provider.add_span_processor(SimpleSpanProcessor(RecentSpansExporter(spans_file)))
    yield provider.get_tracer("tests")
    provider.shutdown()


def test_a_span_reads_back_in_the_shape_of_the_spec(recording, spans_file):
    with recording.start_as_current_span("request", kind=trace.SpanKind.SERVER) as parent:
        child = recording.start_span("predict", start_time=START_NS, attributes={"rows": 2})
        child.end(end_time=START_NS + 1_500_000)
    [_, span] = recent_spans(spans_file)  # the parent ended last
    context, parent_context = child.get_span_context(), parent.get_span_context()
    assert span == {
        "trace_id": trace.format_trace_id(context.trace_id),
        "span_id": trace.format_span_id(context.span_id),
        "parent_id": trace.format_span_id(parent_context.span_id),
        "name": "predict",
        "kind": "INTERNAL",
        "service": "test-service",
        "start": "2026-01-01T00:00:00.123456Z",
        "duration_ms": 1.5,
        "status": "UNSET",
        "attributes": {"rows": 2},
    }


def test_a_root_span_has_no_parent(recording, spans_file):
    with recording.start_as_current_span("request", kind=trace.SpanKind.SERVER):
        pass
    [span] = recent_spans(spans_file)
    assert (span["parent_id"], span["kind"]) == (None, "SERVER")


def test_a_span_that_raised_is_an_error(recording, spans_file):
    with pytest.raises(ValueError), recording.start_as_current_span("validate"):
        raise ValueError("no")
    [span] = recent_spans(spans_file)
    assert span["status"] == "ERROR"


def test_the_spans_come_newest_first(recording, spans_file):
    for name in ("first", "second", "third"):
        recording.start_span(name).end()
    assert [span["name"] for span in recent_spans(spans_file)] == ["third", "second", "first"]


def test_trace_id_keeps_one_trace(recording, spans_file):
    with recording.start_as_current_span("one") as one:
        recording.start_span("one's child").end()
    recording.start_span("another").end()
    trace_id = trace.format_trace_id(one.get_span_context().trace_id)
    spans = recent_spans(spans_file, trace_id)
    assert [span["name"] for span in spans] == ["one", "one's child"]


def test_the_newest_500_are_kept(recording, spans_file):
    for number in range(RECENT_SPANS_KEPT + 150):
        recording.start_span(f"span {number}").end()
    names = [span["name"] for span in recent_spans(spans_file)]
    assert names == [f"span {n}" for n in reversed(range(150, RECENT_SPANS_KEPT + 150))]


def test_the_file_holds_at_most_a_hundred_rows_more_than_it_answers(recording, spans_file):
    for number in range(2000):
        recording.start_span(f"span {number}").end()
    assert len(recent_spans(spans_file, limit=5000)) <= RECENT_SPANS_KEPT + 100


def test_an_empty_file_has_no_spans(spans_file):
    assert recent_spans(spans_file) == []


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
def test_a_forked_worker_writes_through_a_connection_of_its_own(recording, spans_file):
    recording.start_span("before the fork").end()  # the parent's connection is open
    pid = os.fork()
    if pid == 0:  # the child: a gunicorn worker, say
        try:
            recording.start_span("in the child").end()
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    recording.start_span("in the parent").end()
    names = [span["name"] for span in recent_spans(spans_file)]
    assert names == ["in the parent", "in the child", "before the fork"]
