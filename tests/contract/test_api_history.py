"""docs/spec.md#3-json-api: `GET /api/v1/predictions` (newest first, limit/offset) and
`/predictions/<id>`, read with the account's token (docs/spec.md#95-api-tokens)."""

import pytest


def test_an_empty_history_has_count_zero(client, account):
    answer = client.get("/api/v1/predictions", headers=account.headers)
    assert answer.status == 200
    assert answer.json() == {"count": 0, "results": []}


def test_history_is_newest_first_with_the_total_count(client, account, predict):
    ids = [predict()["id"] for _ in range(3)]
    body = client.get("/api/v1/predictions", headers=account.headers).json()
    assert body["count"] == 3
    assert [p["id"] for p in body["results"]] == ids[::-1]


def test_limit_defaults_to_twenty(client, account, valid_features):
    client.post_json(
        "/api/v1/predict/batch", {"instances": [valid_features] * 25}, headers=account.headers
    )
    body = client.get("/api/v1/predictions", headers=account.headers).json()
    assert (body["count"], len(body["results"])) == (25, 20)


def test_limit_and_offset_page_through(client, account, valid_features):
    made = client.post_json(
        "/api/v1/predict/batch", {"instances": [valid_features] * 5}, headers=account.headers
    ).json()["predictions"]
    body = client.get("/api/v1/predictions?limit=2&offset=1", headers=account.headers).json()
    assert [p["id"] for p in body["results"]] == [made[3]["id"], made[2]["id"]]
    assert body["count"] == 5


def test_an_offset_past_the_end_gives_no_results(client, account, predict):
    predict()
    answer = client.get("/api/v1/predictions?offset=10", headers=account.headers)
    assert answer.json() == {"count": 1, "results": []}


@pytest.mark.parametrize(
    "query",
    [
        "limit=0",
        "limit=101",
        "limit=-1",
        "limit=abc",
        "limit=2.5",
        "offset=-1",
        "offset=x",
        "limit=",
    ],
)
def test_a_bad_limit_or_offset_is_invalid_parameter(client, account, query):
    answer = client.get(f"/api/v1/predictions?{query}", headers=account.headers)
    assert answer.status == 400
    error = answer.json()["error"]
    assert error["code"] == "invalid_parameter"
    assert "fields" not in error


def test_limit_one_hundred_is_the_most(client, account):
    assert client.get("/api/v1/predictions?limit=100", headers=account.headers).status == 200


def test_one_prediction_by_id(client, account, predict):
    made = predict()
    answer = client.get(f"/api/v1/predictions/{made['id']}", headers=account.headers)
    assert answer.status == 200
    assert answer.json() == made


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/predictions/999",
        "/api/v1/predictions/abc",
        "/api/v1/predictions/99999999999999999999999",
    ],
)
def test_an_unknown_id_is_404(client, account, path):
    answer = client.get(path, headers=account.headers)
    assert answer.status == 404
    assert answer.json() == {
        "error": {
            "code": "not_found",
            "message": "There is nothing at this address; check the path and the id in it.",
        }
    }
