"""docs/spec.md#4-pages: the prediction form on `/` and its `POST /predict`."""

import pytest
from webclient import Answer


def test_the_form_has_one_number_input_per_feature(client, model):
    form = client.get("/").soup().select_one('form[data-testid="prediction-form"]')
    assert form["method"] == "post"
    assert form["action"] == "/predict"
    inputs = form.select('input[type="number"]')
    assert [i["name"] for i in inputs] == [f.name for f in model.features]
    for element, feature in zip(inputs, model.features, strict=True):
        assert element["step"] == "any"
        assert element.has_attr("required")
        assert (element["min"], element["max"]) == (feature.min_text, feature.max_text)
        assert not element.has_attr("value")


def test_each_input_has_a_label_with_label_and_unit(client, model):
    soup = client.get("/").soup()
    labels = {label["for"]: label.get_text(strip=True) for label in soup.select("label[for]")}
    for feature in model.features:
        element = soup.select_one(f'input[name="{feature.name}"]')
        assert labels[element["id"]] == feature.label_with_unit


def test_the_form_carries_a_csrf_token_and_a_submit_button(client):
    form = client.get("/").soup().select_one('form[data-testid="prediction-form"]')
    hidden = form.select('input[type="hidden"]')
    assert len(hidden) == 1 and len(hidden[0]["value"]) > 20
    assert form.select_one('button[type="submit"]')


def test_the_page_shows_the_model_name_version_and_accuracy(client, model):
    answer = client.get("/")
    assert answer.testid_texts("test-accuracy") == ["92.1%"]
    assert model.version in answer.text


def test_there_is_one_example_link_per_class(client, model):
    links = client.get("/").testids("example-link")
    assert [a.get_text() for a in links] == list(model.classes)
    assert [a["href"] for a in links] == [f"/?example={c}" for c in model.classes]


def test_an_example_link_fills_the_form_with_that_class_example(client, model):
    soup = client.get("/?example=virginica").soup()
    example = model.manifest.example_for("virginica")
    for feature in model.features:
        assert (
            float(soup.select_one(f'input[name="{feature.name}"]')["value"])
            == example[feature.name]
        )


def test_an_unknown_example_gives_an_empty_form(client):
    answer = client.get("/?example=rose")
    assert answer.status == 200
    assert not answer.soup().select('input[type="number"][value]')


def test_a_valid_form_is_stored_and_redirects_303_to_its_result(client, account, valid_features):
    answer = client.submit("/", "prediction-form", valid_features)
    assert answer.status == 303
    assert client.count() == 1
    made = client.get("/api/v1/predictions", headers=account.headers).json()["results"][0]
    assert made["source"] == "form"
    assert made["features"] == valid_features
    assert answer.header("Location") == f"/predictions/{made['id']}"


def test_a_bad_value_gets_400_its_message_beside_it_and_keeps_the_others(client, valid_features):
    answer = client.submit("/", "prediction-form", {**valid_features, "petal_width": "99"})
    assert answer.status == 400
    assert answer.testid_texts("field-error") == ["Must be a number from 0 to 5."]
    soup = answer.soup()
    error = soup.select_one('[data-testid="field-error"]')
    assert error.find_parent(class_="field").select_one("input")["name"] == "petal_width"
    assert soup.select_one('input[name="petal_width"]')["value"] == "99"
    assert soup.select_one('input[name="sepal_length"]')["value"] == str(
        valid_features["sepal_length"]
    )
    assert client.count() == 0


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "Required: a number from 0 to 5."),
        ("abc", "Must be a number from 0 to 5."),
        ("nan", "Must be a number from 0 to 5."),
    ],
)
def test_an_empty_or_non_numeric_value_is_named(client, valid_features, value, message):
    answer = client.submit("/", "prediction-form", {**valid_features, "petal_width": value})
    assert answer.status == 400
    assert answer.testid_texts("field-error") == [message]


def test_every_bad_field_gets_its_message(client):
    answer = client.submit(
        "/",
        "prediction-form",
        {"sepal_length": "-1", "sepal_width": "", "petal_length": "1", "petal_width": "1"},
    )
    assert answer.testid_texts("field-error") == [
        "Must be a number from 0 to 12.",
        "Required: a number from 0 to 7.",
    ]


def _csrf_name(answer: Answer) -> str:
    return answer.soup().select_one('form[data-testid="prediction-form"] input[type="hidden"]')[
        "name"
    ]


def test_a_form_without_its_csrf_token_is_403(client, valid_features):
    token = _csrf_name(client.get("/"))
    answer = client.submit("/", "prediction-form", valid_features, drop=(token,))
    assert answer.status == 403
    assert answer.testid_texts("error-title") == ["Form expired"]
    assert client.count() == 0


def test_a_form_with_a_wrong_csrf_token_is_403(client, valid_features):
    token = _csrf_name(client.get("/"))
    answer = client.submit("/", "prediction-form", {**valid_features, token: "forged" * 8})
    assert answer.status == 403
    assert client.count() == 0


def test_get_on_predict_is_a_405_page(client):
    answer = client.get("/predict")
    assert answer.status == 405
    assert answer.header("Allow") == "POST"
    assert answer.testid_texts("error-title") == ["Method not allowed"]
