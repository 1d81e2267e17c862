"""The API spec (docs/openapi.yaml) is valid, and both apps' answers keep to it."""

import pytest
from jsonschema import ValidationError
from openapi_spec import spec, validate_answer
from openapi_spec_validator import validate

from shared_web.limits import parse_rate


def test_the_spec_is_valid_openapi_3_1():
    assert spec()["openapi"] == "3.1.0"
    validate(spec())


def test_the_specs_features_are_the_default_models(model):
    schema = spec()["components"]["schemas"]["Features"]
    assert schema["required"] == [f.name for f in model.features]
    assert schema["properties"] == {
        f.name: {"type": "number", "minimum": f.min, "maximum": f.max} for f in model.features
    }
    feedback = spec()["paths"]["/api/v1/predictions/{id}/feedback"]["post"]["requestBody"]
    assert feedback["content"]["application/json"]["schema"]["properties"]["true_label"][
        "enum"
    ] == list(model.classes)


def test_the_validator_rejects_what_the_spec_does_not_allow():
    with pytest.raises(ValidationError):
        validate_answer("GET", "/api/v1/health", 200, {"status": "fine", "checks": {}})


def test_every_kind_of_answer_matches_the_spec(client, account, valid_features):
    calls = [
        ("GET", "/api/v1/health", None),
        ("GET", "/api/v1/model", None),
        ("POST", "/api/v1/predict", {"features": valid_features}),
        ("POST", "/api/v1/predict", {"features": {**valid_features, "sepal_width": "x"}}),
        ("POST", "/api/v1/predict", {"nothing": 1}),
        ("POST", "/api/v1/predict/batch", {"instances": [valid_features] * 3}),
        ("POST", "/api/v1/predict/batch", {"instances": [valid_features, 1]}),
        ("GET", "/api/v1/predictions", None),
        ("GET", "/api/v1/predictions?limit=2&offset=1", None),
        ("GET", "/api/v1/predictions?limit=0", None),
        ("GET", "/api/v1/predictions/1", None),
        ("GET", "/api/v1/predictions/999", None),
        ("POST", "/api/v1/predictions/1/feedback", {"true_label": "virginica", "comment": "no"}),
        ("POST", "/api/v1/predictions/1/feedback", {"true_label": "rose"}),
        ("POST", "/api/v1/predictions/999/feedback", {"true_label": "setosa"}),
        ("GET", "/api/v1/model", None),  # now with a version that has predictions and feedback
    ]
    for method, path, payload in calls:
        headers = account.headers
        answer = (
            client.post_json(path, payload, headers=headers)
            if method == "POST"
            else client.get(path, headers=headers)
        )
        validate_answer(method, path, answer.status, answer.json())


def test_unauthorized_and_too_many_requests_match_the_spec(client, configure, valid_features):
    configure(ANONYMOUS_RATE_LIMIT=parse_rate("1/minute"))
    calls = [
        ("GET", "/api/v1/predictions", None),
        ("GET", "/api/v1/predictions/1", None),
        ("POST", "/api/v1/predictions/1/feedback", {"true_label": "setosa"}),
        ("POST", "/api/v1/predict", {"features": valid_features}),
        ("POST", "/api/v1/predict", {"features": valid_features}),
        ("POST", "/api/v1/predict/batch", {"instances": [valid_features]}),
    ]
    statuses = []
    for method, path, payload in calls:
        answer = client.post_json(path, payload) if method == "POST" else client.get(path)
        validate_answer(method, path, answer.status, answer.json())
        statuses.append(answer.status)
    assert statuses == [401, 401, 401, 201, 429, 429]


def test_content_type_and_size_errors_match_the_spec(client):
    big = client.request(
        "POST",
        client.url("/api/v1/predict"),
        body=b"[" + b"1," * (600 * 1024) + b"1]",
        content_type="application/json",
    )
    validate_answer("POST", "/api/v1/predict", big.status, big.json())
    plain = client.request(
        "POST", client.url("/api/v1/predict"), body=b"{}", content_type="text/plain"
    )
    validate_answer("POST", "/api/v1/predict", plain.status, plain.json())
    broken = client.request(
        "POST", client.url("/api/v1/predict"), body=b"{", content_type="application/json"
    )
    validate_answer("POST", "/api/v1/predict", broken.status, broken.json())
