"""docs/spec.md#103-traces: each request is a trace, from the framework's server span down to the
database, joined to the caller's trace by `traceparent`; in development `/_dev/spans` shows the
recent spans."""

import secrets

from opentelemetry.trace import SpanKind, format_span_id, format_trace_id

PARENT_ID = "b7ad6b7169203331"
SPAN_KEYS = [
    "trace_id",
    "span_id",
    "parent_id",
    "name",
    "kind",
    "service",
    "start",
    "duration_ms",
    "status",
    "attributes",
]
# What each framework's instrumentation names: Flask's route, Django's URL pattern; each app's
# template names.
HEALTH_SPAN = {"flask": "GET /api/v1/health", "django": "GET api/v1/health"}
INDEX_TEMPLATE = {"flask": "index.html", "django": "predictions/index.html"}


def traceparent(trace_id: str) -> dict[str, str]:
    return {"traceparent": f"00-{trace_id}-{PARENT_ID}-01"}


def children(spans, parent):
    return [s for s in spans if s.parent and s.parent.span_id == parent.context.span_id]


def test_a_prediction_is_one_trace_that_joins_the_caller_s(client, spans, valid_features):
    trace_id = secrets.token_hex(16)
    answer = client.post_json(
        "/api/v1/predict", {"features": valid_features}, headers=traceparent(trace_id)
    )
    assert answer.status == 201
    finished = spans.get_finished_spans()
    assert {format_trace_id(span.context.trace_id) for span in finished} == {trace_id}
    [server] = [span for span in finished if span.kind is SpanKind.SERVER]
    assert format_span_id(server.parent.span_id) == PARENT_ID
    assert server.attributes["http.status_code"] == 201


def test_a_prediction_validates_predicts_and_stores_in_the_request_s_span(
    client, spans, valid_features
):
    client.post_json("/api/v1/predict", {"features": valid_features})
    finished = spans.get_finished_spans()
    [server] = [span for span in finished if span.kind is SpanKind.SERVER]
    assert [span.name for span in children(finished, server)] == ["validate", "predict", "store"]


def test_storing_a_prediction_inserts_it_in_the_store_span(client, spans, valid_features):
    """A database span of the ORM's instrumentation (Flask: SQLAlchemy's) or the driver's
    (Django: sqlite3's or psycopg's); where both apps share a process, as here, Flask's query is
    seen by the driver's too."""
    client.post_json("/api/v1/predict", {"features": valid_features})
    finished = spans.get_finished_spans()
    [store] = [span for span in finished if span.name == "store"]
    queries = [span.name for span in children(finished, store) if span.kind is SpanKind.CLIENT]
    assert any(name.startswith("INSERT") for name in queries), queries


def test_a_page_s_template_is_rendered_in_the_request_s_span(client, spans):
    client.get("/")
    finished = spans.get_finished_spans()
    [server] = [span for span in finished if span.kind is SpanKind.SERVER]
    renders = [span.name for span in children(finished, server) if span.name.startswith("render")]
    assert renders == [f"render {INDEX_TEMPLATE[client.name]}"]


def test_the_recent_spans_show_a_request_just_made(client, valid_features):
    trace_id = secrets.token_hex(16)
    client.post_json("/api/v1/predict", {"features": valid_features}, headers=traceparent(trace_id))
    answer = client.get(f"/_dev/spans?trace_id={trace_id}")
    assert answer.status == 200
    assert answer.content_type == "application/json"
    spans = answer.json()["spans"]
    assert all(list(span) == SPAN_KEYS and span["trace_id"] == trace_id for span in spans)
    server = spans[0]  # the newest: the last to end
    assert (server["kind"], server["parent_id"], server["status"]) == ("SERVER", PARENT_ID, "UNSET")
    internal = [span["name"] for span in spans if span["kind"] == "INTERNAL"]
    assert internal == ["store", "predict", "validate"]


def test_the_recent_spans_without_trace_id_are_the_newest_500(client):
    client.get("/api/v1/health")
    spans = client.get("/_dev/spans").json()["spans"]
    assert 0 < len(spans) <= 500
    assert spans[0]["name"] == HEALTH_SPAN[client.name]


def test_requests_for_the_recent_spans_are_not_traced(client, spans):
    assert client.get("/_dev/spans").status == 200
    assert spans.get_finished_spans() == ()


def test_under_a_prefix_requests_for_the_recent_spans_are_not_traced(mounted_client, spans):
    assert mounted_client.get("/_dev/spans?trace_id=x").status == 200
    assert spans.get_finished_spans() == ()


def test_the_recent_spans_take_only_get(client):
    answer = client.request("POST", client.url("/_dev/spans"))
    assert answer.status == 405
    assert answer.header("Allow") == "GET, HEAD"
