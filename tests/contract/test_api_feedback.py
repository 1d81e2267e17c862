"""docs/spec.md#3-json-api: `POST /api/v1/predictions/<id>/feedback`, on the account's own
predictions (docs/spec.md#95-api-tokens)."""


def send(client, account, prediction_id, payload):
    return client.post_json(
        f"/api/v1/predictions/{prediction_id}/feedback", payload, headers=account.headers
    )


def read(client, account, prediction_id):
    return client.get(f"/api/v1/predictions/{prediction_id}", headers=account.headers).json()


def test_feedback_is_stored_and_returned(client, account, predict):
    made = predict()
    answer = send(
        client, account, made["id"], {"true_label": "versicolor", "comment": "Looked bigger."}
    )
    assert answer.status == 200
    feedback = answer.json()["feedback"]
    assert {k: feedback[k] for k in ("true_label", "correct", "comment")} == {
        "true_label": "versicolor",
        "correct": False,
        "comment": "Looked bigger.",
    }
    assert feedback["at"].endswith("Z")
    assert read(client, account, made["id"])["feedback"] == feedback


def test_feedback_that_agrees_is_correct_and_the_comment_is_optional(client, account, predict):
    made = predict()
    feedback = send(client, account, made["id"], {"true_label": "setosa"}).json()["feedback"]
    assert (feedback["correct"], feedback["comment"]) == (True, "")


def test_a_second_feedback_replaces_the_first(client, account, predict):
    made = predict()
    send(client, account, made["id"], {"true_label": "virginica"})
    second = send(client, account, made["id"], {"true_label": "setosa"})
    assert second.json()["feedback"]["true_label"] == "setosa"
    assert client.count() == 1


def test_feedback_with_an_unknown_class_is_rejected_and_stores_nothing(client, account, predict):
    made = predict()
    answer = send(client, account, made["id"], {"true_label": "rose"})
    assert answer.status == 400
    assert answer.json()["error"]["fields"] == {
        "true_label": "Must be one of: setosa, versicolor, virginica."
    }
    assert read(client, account, made["id"])["feedback"] is None


def test_a_comment_over_five_hundred_characters_is_rejected(client, account, predict):
    made = predict()
    answer = send(client, account, made["id"], {"true_label": "setosa", "comment": "x" * 501})
    assert answer.json()["error"]["fields"] == {
        "comment": "Must be text of at most 500 characters."
    }
    assert read(client, account, made["id"])["feedback"] is None


def test_feedback_on_an_unknown_prediction_is_404(client, account):
    answer = send(client, account, 12345, {"true_label": "setosa"})
    assert answer.status == 404
    assert answer.json()["error"]["code"] == "not_found"


def test_feedback_needs_the_json_content_type(client, account, predict):
    made = predict()
    answer = client.request(
        "POST",
        client.url(f"/api/v1/predictions/{made['id']}/feedback"),
        body=b'{"true_label": "setosa"}',
        content_type="text/plain",
        headers=account.headers,
    )
    assert answer.status == 415
