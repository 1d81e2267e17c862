"""The HTML pages (docs/spec.md#4-pages): the form, a result, the CSV batch, the history, the
model card. Each shows and takes only the predictions of whoever asks (`ownership.py`)."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from werkzeug.wrappers import Response as BaseResponse

from shared_web.api_input import MAX_ID
from shared_web.csv_files import CsvUploadError, parse_upload, stream_history
from shared_web.display import PredictionDisplay, prediction_display
from shared_web.payloads import StoredPrediction

from . import store
from .extensions import current_model
from .forms import BatchForm, FeedbackForm, PredictionFormBase, prediction_form_class
from .models import Prediction
from .ownership import page_owner, page_viewer

bp = Blueprint("pages", __name__)


def prediction_form(**kwargs: object) -> PredictionFormBase:
    return prediction_form_class(current_model().features)(**kwargs)


def feedback_form(row: Prediction, **kwargs: object) -> FeedbackForm:
    initial = {"true_label": row.feedback_label or row.label, "comment": row.feedback_comment}
    return FeedbackForm(current_model().classes, data=initial, **kwargs)


def view_of(row: StoredPrediction) -> PredictionDisplay:
    return prediction_display(row, current_model().manifest)


@bp.get("/")
def index() -> str:
    example = current_model().manifest.example_for(request.args.get("example", ""))
    return render_template("index.html", form=prediction_form(data=example))


@bp.post("/predict")
def predict() -> BaseResponse | tuple[str, int]:
    form = prediction_form()
    if not form.validate_on_submit():
        return render_template("index.html", form=form), 400
    prediction = current_model().predict_rows([form.values()])
    row = store.add(prediction, "form", page_owner())
    return redirect(url_for("pages.prediction", prediction_id=row.id), 303)


@bp.get(f"/predictions/<int(max={MAX_ID}):prediction_id>")
def prediction(prediction_id: int) -> str:
    row = store.get_or_404(prediction_id, page_viewer())
    return render_template("prediction.html", view=view_of(row), form=feedback_form(row))


@bp.post(f"/predictions/<int(max={MAX_ID}):prediction_id>/feedback")
def feedback(prediction_id: int) -> BaseResponse | tuple[str, int]:
    row = store.get_or_404(prediction_id, page_viewer())
    form = FeedbackForm(current_model().classes)
    if not form.validate_on_submit():
        return render_template("prediction.html", view=view_of(row), form=form), 400
    store.record_feedback(row, form.true_label.data, form.comment.data or "")
    return redirect(url_for("pages.prediction", prediction_id=row.id), 303)


@bp.route("/batch", methods=["GET", "POST"])
def batch() -> str | tuple[str, int]:
    form = BatchForm()
    if not form.validate_on_submit():
        return render_template("batch.html", form=form), 400 if form.is_submitted() else 200
    try:
        rows = parse_upload(form.file.data.read(), current_model().features)
    except CsvUploadError as exc:
        form.file.errors = [str(exc)]
        return render_template("batch.html", form=form), 400
    stored = store.add_all(current_model().predict_rows(rows), "csv", page_owner())
    views = [view_of(row) for row in stored]
    return render_template("batch.html", form=BatchForm(formdata=None), predictions=views)


@bp.get("/history")
def history() -> str:
    return render_template("history.html", pagination=store.history_page(page_viewer()))


@bp.get("/history.csv")
def history_csv() -> Response:
    model = current_model()
    lines = stream_history(store.stream_all(page_viewer()), model.features, model.classes)
    return Response(
        stream_with_context(lines),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="history.csv"'},
    )


@bp.get("/model")
def model_card() -> str:
    return render_template("model.html", versions=store.version_stats())
