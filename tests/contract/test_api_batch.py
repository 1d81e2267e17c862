"""docs/spec.md#3-json-api: `POST /api/v1/predict/batch`: 1 to 1,000 rows, in order, all stored or none."""


def test_a_batch_is_201_in_input_order_and_all_stored(client, model):
    rows = [e["features"] for e in model.manifest.examples]
    answer = client.post_json("/api/v1/predict/batch", {"instances": rows})
    assert answer.status == 201
    predictions = answer.json()["predictions"]
    assert [p["label"] for p in predictions] == ["setosa", "versicolor", "virginica"]
    assert [p["features"] for p in predictions] == rows
    assert all(p["source"] == "api" for p in predictions)
    assert client.count() == 3


def test_a_batch_of_one_thousand_is_accepted(client, valid_features):
    answer = client.post_json("/api/v1/predict/batch", {"instances": [valid_features] * 1000})
    assert answer.status == 201
    assert len(answer.json()["predictions"]) == 1000
    assert client.count() == 1000


def test_a_batch_of_none_is_rejected(client):
    answer = client.post_json("/api/v1/predict/batch", {"instances": []})
    assert answer.status == 400
    assert answer.json()["error"]["fields"] == {
        "instances": "Must be a list of 1 to 1000 feature objects; got 0."
    }


def test_a_batch_of_one_thousand_and_one_is_rejected_and_stores_nothing(client, valid_features):
    answer = client.post_json("/api/v1/predict/batch", {"instances": [valid_features] * 1001})
    assert answer.status == 400
    assert answer.json()["error"]["fields"] == {
        "instances": "Must be a list of 1 to 1000 feature objects; got 1001."
    }
    assert client.count() == 0


def test_one_bad_row_rejects_the_whole_batch(client, valid_features):
    rows = [valid_features] * 10
    rows[3] = {**valid_features, "petal_width": "wide"}
    answer = client.post_json("/api/v1/predict/batch", {"instances": rows})
    assert answer.status == 400
    assert answer.json()["error"]["fields"] == {
        "instances[3].petal_width": "Must be a number from 0 to 5."
    }
    assert client.count() == 0


def test_a_row_that_is_not_an_object_is_named_by_index(client, valid_features):
    answer = client.post_json("/api/v1/predict/batch", {"instances": [valid_features, "row"]})
    assert answer.json()["error"]["fields"] == {
        "instances[1]": "Must be an object that maps each feature name to a number."
    }


def test_a_wrong_shaped_batch_body_names_instances(client, valid_features):
    answer = client.post_json("/api/v1/predict/batch", {"features": valid_features})
    assert answer.status == 400
    assert set(answer.json()["error"]["fields"]) == {"instances"}
    assert client.count() == 0


def test_instances_that_are_not_a_list_are_rejected(client, valid_features):
    answer = client.post_json("/api/v1/predict/batch", {"instances": valid_features})
    assert answer.json()["error"]["fields"] == {
        "instances": "Must be a list of 1 to 1000 feature objects; got no list."
    }


def test_each_batch_answer_is_byte_for_byte_what_reading_it_gives(client, model, account):
    rows = [example["features"] for example in model.manifest.examples]
    made = client.post_json("/api/v1/predict/batch", {"instances": rows}, headers=account.headers)
    listed = client.get(f"/api/v1/predictions?limit={len(rows)}", headers=account.headers)
    newest_first = listed.json()["results"]
    assert made.json()["predictions"] == newest_first[::-1]
    for prediction in made.json()["predictions"]:
        read = client.get(f"/api/v1/predictions/{prediction['id']}", headers=account.headers)
        assert read.body.decode() in made.body.decode()
