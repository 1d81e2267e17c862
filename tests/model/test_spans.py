"""shared_model's spans (docs/spec.md#103-traces): validating and predicting, each a span of the
caller's trace, naming the model and counting the rows."""

import pytest
from opentelemetry import trace
from opentelemetry.trace import StatusCode

from shared_model.validation import ValidationError


def names(spans) -> list[str]:
    return [span.name for span in spans.get_finished_spans()]


def test_predicting_one_row_validates_then_predicts(model, spans, valid_features):
    model.predict_one(valid_features)
    attributes = {"model.name": "iris", "model.version": model.version, "model.rows": 1}
    assert [(s.name, dict(s.attributes)) for s in spans.get_finished_spans()] == [
        ("validate", attributes),
        ("predict", attributes),
    ]


def test_a_batch_counts_its_rows_in_both_spans(model, spans, valid_features):
    model.predict_batch([valid_features] * 3)
    assert [s.attributes["model.rows"] for s in spans.get_finished_spans()] == [3, 3]


def test_rows_already_validated_are_only_predicted(model, spans, valid_features):
    model.predict_rows([valid_features, valid_features])
    assert names(spans) == ["predict"]


def test_a_row_that_fails_validation_is_an_error_span_and_no_prediction(model, spans):
    with pytest.raises(ValidationError):
        model.predict({"sepal_length": "long"})
    [validate] = spans.get_finished_spans()
    assert (validate.name, validate.status.status_code) == ("validate", StatusCode.ERROR)


def test_the_spans_belong_to_the_caller_s_trace(model, spans, valid_features):
    with trace.get_tracer("tests").start_as_current_span("request") as request:
        model.predict(valid_features)
    request_id = request.get_span_context().span_id
    assert [s.parent.span_id for s in spans.get_finished_spans()[:2]] == [request_id] * 2
