"""docs/spec.md#4-pages: the model card `/model`."""


def test_the_model_card_shows_the_features_table(client, model):
    rows = client.get("/model").soup().select('[data-testid="features-table"] tbody tr')
    assert [td.get_text(strip=True) for td in rows[0].select("td")] == [
        "sepal_length",
        "Sepal length",
        "cm",
        "0",
        "12",
    ]
    assert len(rows) == len(model.features)


def test_the_model_card_shows_the_confusion_matrix_as_a_table(client, model):
    table = client.get("/model").soup().select_one('[data-testid="confusion-matrix"]')
    counts = [[int(td.get_text()) for td in row.select("td")] for row in table.select("tbody tr")]
    assert counts == model.manifest.metrics["confusion_matrix"]
    assert [th.get_text() for th in table.select("tbody th")] == list(model.classes)


def test_the_model_card_shows_classes_version_and_sha256(client, model):
    answer = client.get("/model")
    assert answer.testid_texts("classes") == ["setosa, versicolor, virginica"]
    assert answer.testid_texts("sha256") == [model.manifest.sha256]
    assert model.manifest.sklearn_version in answer.text
    assert model.manifest.trained_at in answer.text


def test_the_model_card_says_when_there_are_no_predictions(client):
    answer = client.get("/model")
    assert answer.testid_texts("versions-empty") == ["No predictions yet."]
    assert answer.testids("versions-table") == []


def test_the_model_card_tables_each_version_s_predictions_and_the_share_right(
    client, account, predict, model
):
    made = [predict()["id"] for _ in range(4)]  # setosa, each of them
    client.set_model_version(made[:1], "00000000000a")
    for prediction_id, true_label in [(made[1], "setosa"), (made[2], "virginica")]:
        client.post_json(
            f"/api/v1/predictions/{prediction_id}/feedback",
            {"true_label": true_label},
            headers=account.headers,
        )
    table = client.get("/model").soup().select_one('[data-testid="versions-table"]')
    assert [th.get_text() for th in table.select("thead th")] == [
        "Version",
        "Predictions",
        "With feedback",
        "Right",
    ]
    assert [[td.get_text() for td in row.select("td")] for row in table.select("tbody tr")] == [
        [model.version, "3", "2", "50.0%"],
        ["00000000000a", "1", "0", "–"],
    ]
