"""docs/spec.md#101-metrics: `/metrics` in Prometheus's text format, with the model series both
apps export alike. Counts are read as differences: the series live in the test process, which
serves many apps one after the other."""

from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families

MODEL_SERIES = ("model_predictions", "model_predict_seconds", "model_feedback")


def scrape(client, host: str | None = None) -> dict[tuple[str, frozenset], float]:
    """Every sample of `/metrics`, by name and labels."""
    answer = client.get("/metrics", headers={"Host": host} if host else None)
    assert answer.status == 200, answer.status
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
    }


def value(samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


@pytest.fixture
def counted(client, model):
    """`counted(samples, **labels)`: the model's series of this app and model, from `samples`."""

    def read(samples, name: str, **labels: str) -> float:
        return value(samples, name, app=client.name, model_version=model.version, **labels)

    return read


def rows_predicted_as(model, labels: list[str]) -> list[dict[str, float]]:
    """Rows the model predicts as `labels`, in that order (the manifest's examples)."""
    examples = [example["features"] for example in model.manifest.examples]
    by_label = {model.predict(row).label: row for row in examples}
    return [by_label[label] for label in labels]


def test_metrics_are_prometheus_text_with_the_model_series(client):
    answer = client.get("/metrics")
    assert answer.status == 200
    assert answer.content_type.startswith("text/plain; version=")
    names = {family.name for family in text_string_to_metric_families(answer.text)}
    assert set(MODEL_SERIES) <= names


def test_the_framework_exporter_adds_its_http_series(client):
    names = {family.name for family in text_string_to_metric_families(client.get("/metrics").text)}
    assert any(name.startswith(f"{client.name}_http_") for name in names), sorted(names)


def test_a_batch_counts_each_label_once_and_one_model_call(client, account, model, counted):
    first, second = model.classes[:2]
    before = scrape(client)
    answer = client.post_json(
        "/api/v1/predict/batch",
        {"instances": rows_predicted_as(model, [first, second, first, first])},
        headers=account.headers,
    )
    assert answer.status == 201
    after = scrape(client)
    made = "model_predictions_total"
    for label, rows in ((first, 3), (second, 1)):
        counts = [counted(s, made, label=label, source="api") for s in (before, after)]
        assert counts[1] - counts[0] == rows
    calls = "model_predict_seconds_count"
    assert counted(after, calls) - counted(before, calls) == 1


def test_a_form_prediction_counts_as_source_form(client, model, counted, valid_features):
    label = model.predict(valid_features).label
    before = scrape(client)
    assert client.submit("/", "prediction-form", valid_features).status == 303
    after = scrape(client)
    made = "model_predictions_total"
    assert (
        counted(after, made, label=label, source="form")
        - counted(before, made, label=label, source="form")
        == 1
    )


def test_feedback_counts_right_and_wrong(client, account, model, predict, counted):
    made = predict()
    wrong = next(c for c in model.classes if c != made["label"])
    before = scrape(client)
    for true_label in (made["label"], wrong, wrong):
        answer = client.post_json(
            f"/api/v1/predictions/{made['id']}/feedback",
            {"true_label": true_label},
            headers=account.headers,
        )
        assert answer.status == 200
    after = scrape(client)
    feedback = "model_feedback_total"
    for correct, times in (("true", 1), ("false", 2)):
        given = counted(after, feedback, correct=correct) - counted(
            before, feedback, correct=correct
        )
        assert given == times


def test_a_refused_prediction_counts_nothing(client, account, counted, model):
    before = scrape(client)
    answer = client.post_json(
        "/api/v1/predict", {"features": {"sepal_length": "x"}}, headers=account.headers
    )
    assert answer.status == 400
    after = scrape(client)
    calls = "model_predict_seconds_count"
    assert counted(after, calls) == counted(before, calls)


def test_metrics_answer_a_loopback_host_that_allowed_hosts_leaves_out(client, configure):
    configure(ALLOWED_HOSTS=["example.org"])
    assert client.get("/metrics", headers={"Host": "127.0.0.1:8001"}).status == 200
    assert client.get("/metrics", headers={"Host": "[::1]:8001"}).status == 200


def test_other_pages_refuse_that_loopback_host(client, configure):
    configure(ALLOWED_HOSTS=["example.org"])
    assert client.get("/", headers={"Host": "127.0.0.1:8001"}).status == 400


def test_metrics_refuse_a_host_neither_allowed_nor_loopback(client, configure):
    configure(ALLOWED_HOSTS=["example.org"])
    assert client.get("/metrics", headers={"Host": "evil.example"}).status == 400


def test_metrics_take_only_get_and_head(client):
    assert client.request("HEAD", client.url("/metrics")).status == 200
    answer = client.request("PUT", client.url("/metrics"), body=b"")
    # Django's CSRF check comes before the method's (docs/spec.md#81-differences-a-user-can-see).
    assert answer.status == {"flask": 405, "django": 403}[client.name]
