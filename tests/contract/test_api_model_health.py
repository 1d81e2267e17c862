"""docs/spec.md#3-json-api: `GET /api/v1/model` and `GET /api/v1/health`; errors under /api/."""


def test_model_gives_the_manifests_public_fields(client, model):
    answer = client.get("/api/v1/model")
    assert answer.status == 200
    body = answer.json()
    assert list(body) == [
        "name", "version", "task", "dataset", "trained_at", "sklearn_version", "sha256", "classes",
        "features", "metrics", "examples", "versions",
    ]  # fmt: skip
    assert body["version"] == model.version == body["sha256"][:12]
    assert body["features"][0] == {
        "name": "sepal_length", "label": "Sepal length", "unit": "cm", "min": 0.0, "max": 12.0,
        "description": "Column 'sepal length (cm)'.",
    }  # fmt: skip
    assert [e["class"] for e in body["examples"]] == body["classes"]


def test_model_lists_no_version_before_any_prediction(client):
    assert client.get("/api/v1/model").json()["versions"] == []


def test_model_counts_each_version_s_predictions_feedback_and_right_answers(
    client, account, predict, model
):
    made = [predict()["id"] for _ in range(5)]  # setosa, each of them
    client.set_model_version(made[:2], "00000000000a")
    for prediction_id, true_label in [
        (made[0], "setosa"),
        (made[2], "setosa"),
        (made[3], "virginica"),
        (made[4], "setosa"),
    ]:
        feedback = {"true_label": true_label}
        url = f"/api/v1/predictions/{prediction_id}/feedback"
        assert client.post_json(url, feedback, headers=account.headers).status == 200
    assert client.get("/api/v1/model").json()["versions"] == [
        {"version": model.version, "predictions": 3, "feedback": 3, "correct": 2,
         "accuracy": 2 / 3},
        {"version": "00000000000a", "predictions": 2, "feedback": 1, "correct": 1,
         "accuracy": 1.0},
    ]  # fmt: skip


def test_model_lists_the_version_with_the_newest_prediction_first(client, predict, model):
    """By each version's newest prediction, not by its count: after a roll-back, the older
    version comes first again."""
    made = [predict()["id"] for _ in range(4)]
    client.set_model_version(made[:2], "00000000000a")
    client.set_model_version([made[3]], "00000000000b")
    versions = client.get("/api/v1/model").json()["versions"]
    assert [(v["version"], v["predictions"], v["accuracy"]) for v in versions] == [
        ("00000000000b", 1, None),
        (model.version, 1, None),
        ("00000000000a", 2, None),
    ]


def test_health_is_ok_when_model_and_database_are_and_names_the_model_version(client, model):
    answer = client.get("/api/v1/health")
    assert answer.status == 200
    assert answer.json() == {
        "status": "ok",
        "checks": {"model": "ok", "database": "ok"},
        "model_version": model.version,
    }


def test_an_unknown_api_path_is_a_json_404(client):
    answer = client.get("/api/v1/nothing/here")
    assert answer.status == 404
    assert answer.content_type == "application/json"
    assert answer.json()["error"]["code"] == "not_found"


def test_an_api_path_outside_v1_is_a_json_404(client):
    assert client.get("/api/v2/model").json()["error"]["code"] == "not_found"


def test_post_on_a_get_route_is_405_with_allow(client):
    answer = client.post_json("/api/v1/model", {})
    assert answer.status == 405
    assert answer.header("Allow") == "GET, HEAD"
    assert answer.json() == {
        "error": {
            "code": "method_not_allowed",
            "message": "This address does not take that HTTP method; see the Allow header.",
        }
    }


def test_options_is_not_offered(client):
    answer = client.request("OPTIONS", client.url("/api/v1/predict"))
    assert answer.status == 405
    assert answer.header("Allow") == "POST"


def test_head_on_a_get_route_answers_without_a_body(client):
    answer = client.request("HEAD", client.url("/api/v1/health"))
    assert (answer.status, answer.body) == (200, b"")


def test_the_api_needs_no_csrf_token(client, valid_features):
    client.get("/")  # a session or CSRF cookie now exists, and still no token is needed
    assert client.post_json("/api/v1/predict", {"features": valid_features}).status == 201
