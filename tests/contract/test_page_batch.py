"""docs/spec.md#4-pages: `/batch`, a CSV upload predicted and stored in one transaction."""

import pytest
from webclient import Upload

HEADER = "sepal_length,sepal_width,petal_length,petal_width\n"
GOOD = HEADER + "5.1,3.5,1.4,0.2\n6.0,2.9,4.5,1.5\n6.7,3.0,5.2,2.3\n"


def upload(client, content: bytes, filename: str = "rows.csv"):
    return client.submit("/batch", "batch-form", {"file": Upload(filename, content)})


def test_the_batch_page_has_an_upload_form(client):
    form = client.get("/batch").soup().select_one('form[data-testid="batch-form"]')
    assert (form["method"], form["action"], form["enctype"]) == (
        "post",
        "/batch",
        "multipart/form-data",
    )
    field = form.select_one('input[type="file"]')
    assert field["name"] == "file" and field.has_attr("required")


def test_a_good_file_gives_a_table_of_every_row_all_stored_as_csv(client, account):
    answer = upload(client, GOOD.encode())
    assert answer.status == 200
    rows = answer.soup().select('[data-testid="batch-table"] tbody tr')
    assert [r.select("td")[5].get_text() for r in rows] == ["setosa", "versicolor", "virginica"]
    assert client.count() == 3
    stored = client.get("/api/v1/predictions", headers=account.headers).json()["results"]
    assert {p["source"] for p in stored} == {"csv"}


def test_each_row_links_to_its_prediction(client, account):
    answer = upload(client, GOOD.encode())
    links = [a["href"] for a in answer.soup().select('[data-testid="batch-table"] tbody a')]
    stored = client.get("/api/v1/predictions", headers=account.headers).json()["results"]
    ids = sorted(p["id"] for p in stored)
    assert links == [f"/predictions/{i}" for i in ids]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty: upload a CSV file with a header row and 1 to 1,000 rows."),
        (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "The file is not a CSV file (it holds binary data)."),
        (
            HEADER.replace(",petal_width", "").encode() + b"1,2,3\n",
            "Row 1: missing column 'petal_width'; the columns are sepal_length, sepal_width, petal_length, petal_width.",
        ),
        (
            HEADER.replace("\n", ",colour\n").encode() + b"1,2,3,1,red\n",
            "Row 1: unknown column 'colour'; the columns are sepal_length, sepal_width, petal_length, petal_width.",
        ),
        (
            (GOOD + "5.0,wide,1.4,0.2\n").encode(),
            "Row 5, column 'sepal_width': Must be a number from 0 to 7.",
        ),
        ((GOOD + "5.0,3.0,1.4\n").encode(), "Row 5 has 3 cells; the header has 4."),
        (HEADER.encode(), "The file has a header row but no data rows: add 1 to 1,000 rows."),
    ],
    ids=[
        "empty",
        "not-csv",
        "missing-column",
        "unknown-column",
        "bad-cell",
        "short-row",
        "no-rows",
    ],
)
def test_a_bad_file_is_400_names_row_and_column_and_stores_nothing(client, content, message):
    answer = upload(client, content)
    assert answer.status == 400
    assert answer.testid_texts("field-error") == [message]
    assert not answer.testids("batch-table")
    assert client.count() == 0


def test_a_file_of_one_thousand_and_one_rows_is_400_and_stores_nothing(client):
    answer = upload(client, (HEADER + "5.1,3.5,1.4,0.2\n" * 1001).encode())
    assert answer.status == 400
    assert answer.testid_texts("field-error") == ["The file has 1,001 rows; the most is 1,000."]
    assert client.count() == 0


def test_a_file_of_one_thousand_rows_is_accepted(client):
    answer = upload(client, (HEADER + "5.1,3.5,1.4,0.2\n" * 1000).encode())
    assert answer.status == 200
    assert client.count() == 1000


def test_no_file_is_400(client):
    answer = client.submit("/batch", "batch-form", {})
    assert answer.status == 400
    assert answer.testid_texts("field-error") == ["Choose a CSV file to upload."]


def test_an_upload_over_one_mib_is_413(client):
    answer = upload(client, (HEADER + "5.1,3.5,1.4,0.2\n" * 70000).encode())
    assert answer.status == 413
    assert answer.testid_texts("error-title") == ["File too large"]
    assert client.count() == 0
