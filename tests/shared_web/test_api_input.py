import pytest

from shared_model.validation import ValidationError
from shared_web.api_input import (
    features_of,
    feedback_of,
    instances_of,
    page_params,
    parse_json_object,
)
from shared_web.errors import ApiError, is_api_path


def test_a_json_object_is_parsed():
    assert parse_json_object(b'{"a": 1}', "application/json; charset=utf-8") == {"a": 1}


@pytest.mark.parametrize(
    "content_type", [None, "", "text/plain", "application/x-www-form-urlencoded"]
)
def test_a_body_not_declared_json_is_415(content_type):
    with pytest.raises(ApiError) as info:
        parse_json_object(b"{}", content_type)
    assert (info.value.status, info.value.code) == (415, "unsupported_media_type")


@pytest.mark.parametrize("body", [b"{", b"[1, 2]", b'"text"', b"", b"\xff\xfe", b"null"])
def test_a_body_that_is_not_a_json_object_is_invalid_json(body):
    with pytest.raises(ApiError) as info:
        parse_json_object(body, "application/json")
    assert (info.value.status, info.value.code) == (400, "invalid_json")
    assert info.value.payload() == {
        "error": {
            "code": "invalid_json",
            "message": "The body must be a JSON object; check its syntax.",
        }
    }


def test_a_predict_body_without_features_names_features():
    with pytest.raises(ValidationError) as info:
        features_of({"instances": []})
    assert info.value.fields == {
        "features": "Required: an object that maps each feature name to a number."
    }


def test_a_predict_body_with_another_key_names_it():
    with pytest.raises(ValidationError) as info:
        features_of({"features": {}, "extra": 1})
    assert info.value.fields == {"extra": "Unknown key; the body holds only features."}


def test_a_batch_body_without_instances_names_instances():
    with pytest.raises(ValidationError) as info:
        instances_of({})
    assert info.value.fields == {"instances": "Required: a list of 1 to 1000 feature objects."}


def test_page_params_default_to_twenty_from_zero():
    assert page_params({}) == (20, 0)


@pytest.mark.parametrize(
    ("limit", "offset"),
    [
        (["0"], []),
        (["101"], []),
        (["-1"], []),
        (["1.5"], []),
        (["ten"], []),
        ([" 5"], []),
        ([], ["-1"]),
        ([], ["x"]),
        (["5", "6"], []),
    ],
)
def test_bad_limit_or_offset_is_invalid_parameter(limit, offset):
    with pytest.raises(ApiError) as info:
        page_params({"limit": limit, "offset": offset})
    assert (info.value.status, info.value.code, info.value.fields) == (
        400,
        "invalid_parameter",
        None,
    )


def test_page_params_accept_the_bounds():
    assert page_params({"limit": ["1"], "offset": ["0"]}) == (1, 0)
    assert page_params({"limit": ["100"], "offset": ["5000"]}) == (100, 5000)


def test_page_params_refuse_an_unknown_parameter():
    with pytest.raises(ApiError) as info:
        page_params({"limit": ["5"], "sort": ["id"]})
    assert (
        info.value.message == "Unknown parameter 'sort'; this address takes only limit and offset."
    )


def test_feedback_needs_a_known_class_and_a_short_comment():
    assert feedback_of({"true_label": "setosa"}, ["setosa"]).comment == ""
    with pytest.raises(ValidationError) as info:
        feedback_of({"true_label": "rose", "comment": "x" * 501, "x": 1}, ["setosa", "virginica"])
    assert info.value.fields == {
        "true_label": "Must be one of: setosa, virginica.",
        "comment": "Must be text of at most 500 characters.",
        "x": "Unknown key; the body holds only true_label, comment.",
    }


@pytest.mark.parametrize(
    ("path", "expected"), [("/api/v1/x", True), ("/api", True), ("/apis", False), ("/", False)]
)
def test_is_api_path(path, expected):
    assert is_api_path(path) is expected
