import csv
import io
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from shared_web.csv_files import CsvUploadError, history_header, parse_upload, stream_history

HEADER = "sepal_length,sepal_width,petal_length,petal_width"


def test_a_good_upload_gives_one_mapping_per_row(model):
    rows = parse_upload(f"{HEADER}\n5.1,3.5,1.4,0.2\n6.7,3.0,5.2,2.3\n".encode(), model.features)
    assert rows == [
        {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2},
        {"sepal_length": 6.7, "sepal_width": 3.0, "petal_length": 5.2, "petal_width": 2.3},
    ]


def test_columns_may_come_in_any_order_with_a_bom(model):
    rows = parse_upload(
        b"\xef\xbb\xbfpetal_width,petal_length,sepal_width,sepal_length\n0.2,1.4,3.5,5.1\n",
        model.features,
    )
    assert rows[0]["sepal_length"] == 5.1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty: upload a CSV file with a header row and 1 to 1,000 rows."),
        (b"\x89PNG\r\n\x1a\n\0\0", "The file is not a CSV file (it holds binary data)."),
        (b"\xff\xfe\xfa", "The file is not a CSV file (it is not UTF-8 text)."),
        (
            HEADER.encode() + b"\n",
            "The file has a header row but no data rows: add 1 to 1,000 rows.",
        ),
        (
            b"sepal_length,sepal_width,petal_length\n1,2,3\n",
            "Row 1: missing column 'petal_width'; the columns are sepal_length, sepal_width, petal_length, petal_width.",
        ),
        (
            HEADER.encode() + b",colour\n1,2,3,4,5\n",
            "Row 1: unknown column 'colour'; the columns are sepal_length, sepal_width, petal_length, petal_width.",
        ),
        (
            HEADER.encode() + b"\n5.1,3.5,1.4,0.2\n5.1,abc,1.4,0.2\n",
            "Row 3, column 'sepal_width': Must be a number from 0 to 7.",
        ),
        (
            HEADER.encode() + b"\n5.1,3.5,1.4,99\n",
            "Row 2, column 'petal_width': Must be a number from 0 to 5.",
        ),
        (
            HEADER.encode() + b"\n5.1,,1.4,0.2\n",
            "Row 2, column 'sepal_width': Required: a number from 0 to 7.",
        ),
        (
            HEADER.encode() + b"\n5.1,nan,1.4,0.2\n",
            "Row 2, column 'sepal_width': Must be a number from 0 to 7.",
        ),
        (HEADER.encode() + b"\n5.1,3.5,1.4\n", "Row 2 has 3 cells; the header has 4."),
    ],
)
def test_a_bad_file_is_refused_naming_row_and_column(model, content, message):
    with pytest.raises(CsvUploadError) as info:
        parse_upload(content, model.features)
    assert str(info.value) == message


def test_a_file_of_one_thousand_and_one_rows_is_refused(model):
    content = HEADER + "\n" + "5.1,3.5,1.4,0.2\n" * 1001
    with pytest.raises(CsvUploadError) as info:
        parse_upload(content.encode(), model.features)
    assert str(info.value) == "The file has 1,001 rows; the most is 1,000."


def test_the_history_export_has_a_header_and_a_row_per_prediction(model):
    row = SimpleNamespace(
        id=3, created_at=datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC), source="form",
        features={"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2},
        label="setosa", probabilities={"setosa": 0.9, "versicolor": 0.1, "virginica": 0.0},
        feedback_label="setosa", feedback_correct=True, feedback_comment="=SUM(A1)", feedback_at=None,
    )  # fmt: skip
    text = "".join(stream_history([row], model.features, model.classes))
    header, values = list(csv.reader(io.StringIO(text)))
    assert header == history_header(model.features, model.classes)
    assert header[:3] == ["id", "created_at", "source"]
    assert values == [
        "3", "2026-01-02T03:04:05.000006Z", "form", "5.1", "3.5", "1.4", "0.2", "setosa",
        "0.9", "0.1", "0.0", "setosa", "true", "'=SUM(A1)",
    ]  # fmt: skip
