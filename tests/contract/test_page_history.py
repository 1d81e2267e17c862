"""docs/spec.md#4-pages: `/history` (20 a page, newest first) and its CSV export `/history.csv`,
of the logged-in account's predictions (docs/spec.md#94-ownership)."""

import csv
import io

import pytest


def make(client, account, valid_features, n):
    return client.post_json(
        "/api/v1/predict/batch", {"instances": [valid_features] * n}, headers=account.headers
    ).json()["predictions"]


def test_an_empty_history_says_so(client):
    answer = client.get("/history")
    assert answer.status == 200
    assert answer.testids("history-table")


@pytest.mark.parametrize(
    ("n", "count"), [(0, "0 predictions"), (1, "1 prediction"), (2, "2 predictions")]
)
def test_history_counts_the_predictions_in_words(client, account, valid_features, n, count):
    if n:
        make(client, account, valid_features, n)
    summary = client.get("/history").soup().select_one("h1 + p").get_text(" ", strip=True)
    assert summary.startswith(f"{count}, newest first.")


def test_history_lists_newest_first_each_row_linking_to_its_page(client, account, valid_features):
    made = make(client, account, valid_features, 3)
    links = [
        a["href"]
        for a in client.get("/history").soup().select('[data-testid="history-table"] tbody a')
    ]
    assert links == [f"/predictions/{p['id']}" for p in reversed(made)]


def test_history_shows_feedback(client, account, predict):
    made = predict()
    client.post_json(
        f"/api/v1/predictions/{made['id']}/feedback",
        {"true_label": "versicolor"},
        headers=account.headers,
    )
    cells = [
        td.get_text(strip=True)
        for td in client.get("/history").soup().select('[data-testid="history-table"] tbody td')
    ]
    assert cells[-1] == "wrong: versicolor"


def test_history_has_twenty_rows_a_page_and_pager_links(client, account, valid_features):
    made = make(client, account, valid_features, 45)
    first = client.get("/history").soup()
    assert len(first.select('[data-testid="history-table"] tbody tr')) == 20
    assert first.select_one('a[rel="next"]')["href"] == "/history?page=2"
    assert not first.select_one('a[rel="prev"]')
    last = client.get("/history?page=3").soup()
    rows = last.select('[data-testid="history-table"] tbody tr')
    assert [r.select_one("a").get_text() for r in rows] == [str(p["id"]) for p in made[:5][::-1]]
    assert last.select_one('a[rel="prev"]')["href"] == "/history?page=2"
    assert not last.select_one('a[rel="next"]')


def test_history_links_to_the_csv_export(client):
    assert [a["href"] for a in client.get("/history").testids("history-csv")] == ["/history.csv"]


@pytest.mark.parametrize("page", ["0", "-1", "abc", "2", "1.5"])
def test_a_page_out_of_range_or_not_a_number_is_404(client, page):
    assert client.get(f"/history?page={page}").status == 404


def test_the_csv_export_is_an_attachment_with_every_column(client, account, predict, model):
    first = predict()
    second = predict(sepal_length=6.0)
    client.post_json(
        f"/api/v1/predictions/{first['id']}/feedback",
        {"true_label": "setosa", "comment": "ok"},
        headers=account.headers,
    )
    answer = client.get("/history.csv")
    assert answer.status == 200
    assert answer.content_type == "text/csv; charset=utf-8"
    assert answer.header("Content-Disposition") == 'attachment; filename="history.csv"'
    header, *rows = list(csv.reader(io.StringIO(answer.text)))
    assert header == [
        "id", "created_at", "source", "sepal_length", "sepal_width", "petal_length", "petal_width", "label",
        "probability_setosa", "probability_versicolor", "probability_virginica",
        "feedback_true_label", "feedback_correct", "feedback_comment",
    ]  # fmt: skip
    assert [r[0] for r in rows] == [str(second["id"]), str(first["id"])]
    assert rows[1][1] == first["created_at"]
    assert rows[1][-3:] == ["setosa", "true", "ok"]
    assert rows[0][-3:] == ["", "", ""]
