from datetime import UTC, datetime, timedelta, timezone
from types import SimpleNamespace

from shared_model.schema import format_time
from shared_web.payloads import error_payload, prediction_payload


def test_times_are_utc_iso_8601_with_z():
    assert (
        format_time(datetime(2026, 11, 24, 14, 15, 15, 123456, tzinfo=UTC))
        == "2026-11-24T14:15:15.123456Z"
    )
    later = datetime(2026, 11, 24, 15, 15, 15, tzinfo=timezone(timedelta(hours=1)))
    assert format_time(later) == "2026-11-24T14:15:15.000000Z"
    assert format_time(datetime(2026, 11, 24, 14, 15, 15)) == "2026-11-24T14:15:15.000000Z"


def _row(**changes):
    row = dict(
        id=42, created_at=datetime(2026, 11, 24, 14, 15, 15, 123456, tzinfo=UTC), source="api",
        model_name="iris", model_version="0123456789ab", features={"a": 5.1}, label="setosa",
        probabilities={"setosa": 0.9, "versicolor": 0.1}, feedback_label=None, feedback_correct=None,
        feedback_comment="", feedback_at=None,
    )  # fmt: skip
    return SimpleNamespace(**{**row, **changes})


def test_a_prediction_without_feedback_has_feedback_null():
    assert prediction_payload(_row()) == {
        "id": 42,
        "created_at": "2026-11-24T14:15:15.123456Z",
        "source": "api",
        "model": {"name": "iris", "version": "0123456789ab"},
        "features": {"a": 5.1},
        "label": "setosa",
        "probabilities": {"setosa": 0.9, "versicolor": 0.1},
        "feedback": None,
    }


def test_feedback_says_whether_the_prediction_was_right():
    at = datetime(2026, 11, 25, tzinfo=UTC)
    row = _row(
        feedback_label="versicolor", feedback_correct=False, feedback_comment="hm", feedback_at=at
    )
    assert prediction_payload(row)["feedback"] == {
        "true_label": "versicolor", "correct": False, "comment": "hm", "at": "2026-11-25T00:00:00.000000Z"
    }  # fmt: skip


def test_fields_appear_only_when_given():
    assert error_payload("not_found", "Nothing.") == {
        "error": {"code": "not_found", "message": "Nothing."}
    }
    assert error_payload("validation_error", "Fix.", {"a": "b"})["error"]["fields"] == {"a": "b"}
