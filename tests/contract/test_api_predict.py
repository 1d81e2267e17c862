"""docs/spec.md#3-json-api: `POST /api/v1/predict`, and every way a request to it can be wrong."""

import json
import math

import pytest

NOT_NUMBERS = ["5.1", True, None, [], {}]


def test_a_valid_prediction_is_201_and_stored(client, valid_features):
    answer = client.post_json("/api/v1/predict", {"features": valid_features})
    assert answer.status == 201
    assert answer.content_type == "application/json"
    body = answer.json()
    assert list(body) == [
        "id",
        "created_at",
        "source",
        "model",
        "features",
        "label",
        "probabilities",
        "feedback",
    ]
    assert body["source"] == "api"
    assert body["features"] == valid_features
    assert body["label"] == "setosa"
    assert list(body["probabilities"]) == ["setosa", "versicolor", "virginica"]
    assert math.isclose(sum(body["probabilities"].values()), 1.0)
    assert body["feedback"] is None
    assert client.count() == 1


def test_the_prediction_names_the_model_and_its_version(client, valid_features, model):
    body = client.post_json("/api/v1/predict", {"features": valid_features}).json()
    assert body["model"] == {"name": "iris", "version": model.version}


def test_created_at_is_utc_iso_8601_with_z(client, valid_features):
    created_at = client.post_json("/api/v1/predict", {"features": valid_features}).json()[
        "created_at"
    ]
    assert created_at.endswith("Z") and len(created_at) == len("2026-11-24T14:15:15.123456Z")


def test_the_stored_prediction_is_the_one_returned(client, account, predict):
    made = predict()
    assert client.get(f"/api/v1/predictions/{made['id']}", headers=account.headers).json() == made


def _assert_rejected(client, answer, fields):
    assert answer.status == 400
    assert answer.content_type == "application/json"
    error = answer.json()["error"]
    assert error["code"] == "validation_error"
    assert error["fields"] == fields
    assert client.count() == 0


@pytest.mark.parametrize("value", NOT_NUMBERS, ids=repr)
def test_a_value_that_is_not_a_number_is_rejected(client, valid_features, value):
    answer = client.post_json(
        "/api/v1/predict", {"features": {**valid_features, "sepal_width": value}}
    )
    _assert_rejected(client, answer, {"sepal_width": "Must be a number from 0 to 7."})


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_a_value_that_is_not_finite_is_rejected(client, valid_features, token):
    body = f'{{"features": {{"sepal_length": 5.1, "sepal_width": {token}, "petal_length": 1.4, "petal_width": 0.2}}}}'
    answer = client.request(
        "POST", client.url("/api/v1/predict"), body=body.encode(), content_type="application/json"
    )
    _assert_rejected(client, answer, {"sepal_width": "Must be a number from 0 to 7."})


@pytest.mark.parametrize("value", [-0.1, 7.5, 1e300])
def test_a_value_out_of_range_is_rejected(client, valid_features, value):
    answer = client.post_json(
        "/api/v1/predict", {"features": {**valid_features, "sepal_width": value}}
    )
    _assert_rejected(client, answer, {"sepal_width": "Must be a number from 0 to 7."})


def test_a_missing_feature_is_rejected(client, valid_features):
    del valid_features["petal_length"]
    answer = client.post_json("/api/v1/predict", {"features": valid_features})
    _assert_rejected(client, answer, {"petal_length": "Required: a number from 0 to 13."})


def test_an_unknown_feature_is_rejected(client, valid_features):
    answer = client.post_json("/api/v1/predict", {"features": {**valid_features, "colour": 3}})
    _assert_rejected(
        client,
        answer,
        {
            "colour": "Unknown feature; the features are sepal_length, sepal_width, petal_length, petal_width."
        },
    )


def test_the_message_is_one_sentence_to_act_on(client, valid_features):
    answer = client.post_json(
        "/api/v1/predict", {"features": {**valid_features, "sepal_width": "x"}}
    )
    assert (
        answer.json()["error"]["message"]
        == 'Fix the invalid field named in "fields" and send the request again.'
    )


@pytest.mark.parametrize(
    "body", [{}, {"instances": []}, {"features": [1, 2]}, {"features": "x"}, {"features": None}]
)
def test_a_wrong_shaped_body_names_features(client, body):
    answer = client.post_json("/api/v1/predict", body)
    assert answer.status == 400
    assert answer.json()["error"]["code"] == "validation_error"
    assert "features" in answer.json()["error"]["fields"]
    assert client.count() == 0


def test_an_extra_top_level_key_is_rejected(client, valid_features):
    answer = client.post_json("/api/v1/predict", {"features": valid_features, "debug": True})
    _assert_rejected(client, answer, {"debug": "Unknown key; the body holds only features."})


@pytest.mark.parametrize("body", [b"{", b"[]", b"42", b'"features"', b"", b"\xff"], ids=repr)
def test_a_body_that_is_not_a_json_object_is_invalid_json(client, body):
    answer = client.request(
        "POST", client.url("/api/v1/predict"), body=body, content_type="application/json"
    )
    assert answer.status == 400
    assert answer.json() == {
        "error": {
            "code": "invalid_json",
            "message": "The body must be a JSON object; check its syntax.",
        }
    }
    assert client.count() == 0


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_a_body_without_the_json_content_type_is_415(client, valid_features, content_type):
    body = json.dumps({"features": valid_features}).encode()
    answer = client.request(
        "POST", client.url("/api/v1/predict"), body=body, content_type=content_type
    )
    assert answer.status == 415
    assert answer.json()["error"]["code"] == "unsupported_media_type"
    assert client.count() == 0


def test_the_json_content_type_may_name_its_charset(client, valid_features):
    body = json.dumps({"features": valid_features}).encode()
    answer = client.request(
        "POST",
        client.url("/api/v1/predict"),
        body=body,
        content_type="application/json; charset=utf-8",
    )
    assert answer.status == 201


def test_a_body_over_one_mib_is_413(client):
    body = b'{"features": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    answer = client.request(
        "POST", client.url("/api/v1/predict"), body=body, content_type="application/json"
    )
    assert answer.status == 413
    assert answer.json()["error"]["code"] == "payload_too_large"
    assert client.count() == 0


def test_get_on_predict_is_405_with_allow(client):
    answer = client.get("/api/v1/predict")
    assert answer.status == 405
    assert answer.header("Allow") == "POST"
    assert answer.json()["error"]["code"] == "method_not_allowed"


def test_an_unexpected_error_is_500_without_internals(client, valid_features, monkeypatch):
    from shared_model.predictor import Predictor

    def broken(self, features):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(Predictor, "predict_one", broken)
    answer = client.post_json("/api/v1/predict", {"features": valid_features})
    assert answer.status == 500
    assert answer.json() == {
        "error": {
            "code": "internal_error",
            "message": "Something went wrong on the server; try again, and report it if it persists.",
        }
    }
    assert b"secret" not in answer.body and b"Traceback" not in answer.body


def test_the_answer_is_byte_for_byte_what_reading_the_prediction_gives(
    client, account, valid_features
):
    made = client.post_json(
        "/api/v1/predict", {"features": valid_features}, headers=account.headers
    )
    read = client.get(f"/api/v1/predictions/{made.json()['id']}", headers=account.headers)
    assert read.body == made.body
