"""The HTML pages (docs/spec.md#4-pages): the form, a result, the CSV batch, the history, the
model card. Error pages are in `errors.py`; the account pages in the accounts app.

Each page shows and takes only the visitor's own predictions (`ownership.py`,
docs/spec.md#94-ownership): anyone else's id is a 404, as an unknown one is.

A POST without a CSRF token to a page that takes only GET is refused by Django's CSRF middleware
(403) before `require_safe` can answer 405, where Flask answers 405: the one difference between
the apps' answers a user can meet (docs/spec.md#81-differences-a-user-can-see).
"""

from __future__ import annotations

from django.core.paginator import InvalidPage, Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from shared_web.csv_files import CsvUploadError, parse_upload, stream_history
from shared_web.display import PredictionDisplay, prediction_display

from .apps import current_model
from .forms import BatchForm, FeedbackForm, PredictionForm
from .models import Prediction
from .ownership import new_prediction_owner, visible_predictions
from .responses import HttpResponseSeeOther

HISTORY_PAGE_SIZE = 20


def view_of(row: Prediction) -> PredictionDisplay:
    return prediction_display(row, current_model().manifest)


def feedback_form(row: Prediction) -> FeedbackForm:
    initial = {"true_label": row.feedback_label or row.label, "comment": row.feedback_comment}
    return FeedbackForm(classes=current_model().classes, initial=initial)


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    model = current_model()
    example = model.manifest.example_for(request.GET.get("example", ""))
    form = PredictionForm(features=model.features, initial=example)
    return render(request, "predictions/index.html", {"form": form})


@require_POST
def predict(request: HttpRequest) -> HttpResponse:
    model = current_model()
    form = PredictionForm(request.POST, features=model.features)
    if not form.is_valid():
        return render(request, "predictions/index.html", {"form": form}, status=400)
    prediction = model.predict_rows([form.cleaned_data])
    row = Prediction.objects.create_prediction(
        prediction, Prediction.Source.FORM, model, **new_prediction_owner(request)
    )
    return HttpResponseSeeOther(reverse("predictions:prediction", args=[row.pk]))


@require_safe
def prediction(request: HttpRequest, prediction_id: int) -> HttpResponse:
    row = get_object_or_404(visible_predictions(request), pk=prediction_id)
    context = {"view": view_of(row), "form": feedback_form(row)}
    return render(request, "predictions/prediction.html", context)


@require_POST
def feedback(request: HttpRequest, prediction_id: int) -> HttpResponse:
    row = get_object_or_404(visible_predictions(request), pk=prediction_id)
    form = FeedbackForm(request.POST, classes=current_model().classes)
    if not form.is_valid():
        context = {"view": view_of(row), "form": form}
        return render(request, "predictions/prediction.html", context, status=400)
    row.record_feedback(form.cleaned_data["true_label"], form.cleaned_data["comment"])
    return HttpResponseSeeOther(reverse("predictions:prediction", args=[row.pk]))


@require_http_methods(["GET", "HEAD", "POST"])
def batch(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "predictions/batch.html", {"form": BatchForm()})
    form = BatchForm(request.POST, request.FILES)
    if form.is_valid():
        model = current_model()
        try:
            parsed = parse_upload(form.cleaned_data["file"].read(), model.features)
        except CsvUploadError as exc:
            form.add_error("file", str(exc))
        else:
            predictions = model.predict_rows(parsed)
            rows = Prediction.objects.create_predictions(
                predictions, Prediction.Source.CSV, model, **new_prediction_owner(request)
            )
            context = {"form": BatchForm(), "predictions": [view_of(row) for row in rows]}
            return render(request, "predictions/batch.html", context)
    return render(request, "predictions/batch.html", {"form": form}, status=400)


@require_safe
def history(request: HttpRequest) -> HttpResponse:
    """One page of the history; a page out of range or not a number is a 404.

    Written with the `Paginator` rather than `ListView`, whose `?page=last` the spec does not
    have, and rather than `Paginator.get_page`, which turns a bad page into the first or last.
    """
    paginator = Paginator(visible_predictions(request).newest_first(), HISTORY_PAGE_SIZE)
    try:
        page = paginator.page(request.GET.get("page", 1))
    except InvalidPage:
        raise Http404 from None
    return render(request, "predictions/history.html", {"page": page})


@require_safe
def history_csv(request: HttpRequest) -> StreamingHttpResponse:
    model = current_model()
    rows = visible_predictions(request).newest_first().iterator(chunk_size=500)
    return StreamingHttpResponse(
        stream_history(rows, model.features, model.classes),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="history.csv"'},
    )


@require_safe
def model_card(request: HttpRequest) -> HttpResponse:
    # Every version's predictions, whoever's: an aggregate, no personal data
    # (docs/spec.md#94-ownership).
    context = {"versions": Prediction.objects.version_stats()}
    return render(request, "predictions/model.html", context)
