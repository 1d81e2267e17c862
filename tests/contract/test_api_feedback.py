"""docs/spec.md#3-json-api: `POST /api/v1/predictions/<id>/feedback`."""


def test_feedback_is_stored_and_returned(client, predict):
    made = predict()
    answer = client.post_json(
        f"/api/v1/predictions/{made['id']}/feedback",
        {"true_label": "versicolor", "comment": "Looked bigger."},
    )
    assert answer.status == 200
    feedback = answer.json()["feedback"]
    assert {k: feedback[k] for k in ("true_label", "correct", "comment")} == {
        "true_label": "versicolor",
        "correct": False,
        "comment": "Looked bigger.",
    }
    assert feedback["at"].endswith("Z")
    assert client.get(f"/api/v1/predictions/{made['id']}").json()["feedback"] == feedback


def test_feedback_that_agrees_is_correct_and_the_comment_is_optional(client, predict):
    made = predict()
    feedback = client.post_json(
        f"/api/v1/predictions/{made['id']}/feedback", {"true_label": "setosa"}
    ).json()["feedback"]
    assert (feedback["correct"], feedback["comment"]) == (True, "")


def test_a_second_feedback_replaces_the_first(client, predict):
    made = predict()
    client.post_json(f"/api/v1/predictions/{made['id']}/feedback", {"true_label": "virginica"})
    second = client.post_json(
        f"/api/v1/predictions/{made['id']}/feedback", {"true_label": "setosa"}
    )
    assert second.json()["feedback"]["true_label"] == "setosa"
    assert client.count() == 1


def test_feedback_with_an_unknown_class_is_rejected_and_stores_nothing(client, predict):
    made = predict()
    answer = client.post_json(f"/api/v1/predictions/{made['id']}/feedback", {"true_label": "rose"})
    assert answer.status == 400
    assert answer.json()["error"]["fields"] == {
        "true_label": "Must be one of: setosa, versicolor, virginica."
    }
    assert client.get(f"/api/v1/predictions/{made['id']}").json()["feedback"] is None


def test_a_comment_over_five_hundred_characters_is_rejected(client, predict):
    made = predict()
    answer = client.post_json(
        f"/api/v1/predictions/{made['id']}/feedback", {"true_label": "setosa", "comment": "x" * 501}
    )
    assert answer.json()["error"]["fields"] == {
        "comment": "Must be text of at most 500 characters."
    }
    assert client.get(f"/api/v1/predictions/{made['id']}").json()["feedback"] is None


def test_feedback_on_an_unknown_prediction_is_404(client):
    answer = client.post_json("/api/v1/predictions/12345/feedback", {"true_label": "setosa"})
    assert answer.status == 404
    assert answer.json()["error"]["code"] == "not_found"


def test_feedback_needs_the_json_content_type(client, predict):
    made = predict()
    answer = client.request(
        "POST",
        client.url(f"/api/v1/predictions/{made['id']}/feedback"),
        body=b'{"true_label": "setosa"}',
        content_type="text/plain",
    )
    assert answer.status == 415
