"""docs/spec.md#4-pages: the result page `/predictions/<id>` and its "was this right?" form, for
the account that owns the prediction (docs/spec.md#94-ownership)."""


def test_the_result_shows_the_label_and_one_bar_per_class(client, predict):
    made = predict()
    answer = client.get(f"/predictions/{made['id']}")
    assert answer.status == 200
    assert answer.testid_texts("predicted-label") == ["setosa"]
    bars = answer.testids("probability")
    assert [b["data-class"] for b in bars] == ["setosa", "versicolor", "virginica"]
    for bar in bars:
        meter = bar.select_one("meter")
        assert float(meter["value"]) == round(made["probabilities"][bar["data-class"]], 4)


def test_the_result_shows_the_inputs_and_links_back_to_the_form(client, predict, valid_features):
    made = predict()
    answer = client.get(f"/predictions/{made['id']}")
    cells = [td.get_text(strip=True) for td in answer.soup().select('[data-testid="inputs"] td')]
    assert cells == [repr(v) for v in valid_features.values()]
    assert answer.soup().select_one('main a[href="/"]')


def test_the_feedback_form_posts_to_the_prediction(client, predict, model):
    made = predict()
    form = (
        client.get(f"/predictions/{made['id']}")
        .soup()
        .select_one('form[data-testid="feedback-form"]')
    )
    assert form["method"] == "post"
    assert form["action"] == f"/predictions/{made['id']}/feedback"
    assert [o["value"] for o in form.select('select[name="true_label"] option')] == list(
        model.classes
    )
    assert form.select_one('input[name="comment"]')["maxlength"] == "500"


def test_feedback_redirects_303_back_and_shows_it(client, account, predict):
    made = predict()
    answer = client.submit(
        f"/predictions/{made['id']}",
        "feedback-form",
        {"true_label": "virginica", "comment": "Pale petals."},
    )
    assert answer.status == 303
    assert answer.header("Location") == f"/predictions/{made['id']}"
    page = client.get(f"/predictions/{made['id']}")
    assert page.testid_texts("feedback") == [
        "You said the true class is virginica : the prediction was wrong. Comment: “Pale petals.”"
    ]
    read = client.get(f"/api/v1/predictions/{made['id']}", headers=account.headers)
    assert read.json()["feedback"]["true_label"] == "virginica"


def test_feedback_with_an_unknown_class_is_400_and_stores_nothing(client, account, predict):
    made = predict()
    answer = client.submit(f"/predictions/{made['id']}", "feedback-form", {"true_label": "rose"})
    assert answer.status == 400
    assert answer.testid_texts("field-error") == ["Must be one of: setosa, versicolor, virginica."]
    read = client.get(f"/api/v1/predictions/{made['id']}", headers=account.headers)
    assert read.json()["feedback"] is None


def test_feedback_with_a_long_comment_is_400(client, predict):
    made = predict()
    answer = client.submit(
        f"/predictions/{made['id']}",
        "feedback-form",
        {"true_label": "setosa", "comment": "x" * 501},
    )
    assert answer.status == 400
    assert answer.testid_texts("field-error") == ["Must be text of at most 500 characters."]


def test_an_unknown_prediction_is_a_404_page(client):
    answer = client.get("/predictions/4242")
    assert answer.status == 404
    assert answer.content_type == "text/html; charset=utf-8"
    assert answer.testid_texts("error-title") == ["Page not found"]


def test_feedback_on_an_unknown_prediction_is_404(client, predict):
    made = predict()
    page = client.get(f"/predictions/{made['id']}").soup()
    token = page.select_one('form[data-testid="feedback-form"] input[type="hidden"]')
    answer = client.request(
        "POST",
        client.url("/predictions/4242/feedback"),
        form={token["name"]: token["value"], "true_label": "setosa"},
    )
    assert answer.status == 404
