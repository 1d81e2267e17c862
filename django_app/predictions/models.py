"""The database table: one row per prediction, holding all that the prediction object shows
(docs/spec.md#71-the-table)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connections, models, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Count, Max, Q
from django.utils import timezone
from opentelemetry import trace

from shared_model.predictor import Predictions, Predictor
from shared_web import jsoncodec
from shared_web.payloads import VersionStats, new_prediction_fields

from .metrics import model_metrics

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

tracer = trace.get_tracer(__name__)


class PredictionQuerySet(models.QuerySet["Prediction"]):
    def visible_to(
        self, user: User | AnonymousUser | None, visitor: str | None = None
    ) -> PredictionQuerySet:
        """The predictions someone may see and give feedback on (docs/spec.md#94-ownership).

        Staff: all of them. An account: its own. A visitor without an account: those of the
        visitor id in their session. No one else: none, which is why the predictions made
        through the API without a token are the staff's to see only.
        """
        if user is not None and user.is_authenticated:
            return self.all() if user.is_staff else self.filter(owner=user)
        if visitor:
            return self.filter(visitor=visitor)
        return self.none()

    def newest_first(self) -> PredictionQuerySet:
        """Newest first, by id: the primary key's index makes every page and count cheap."""
        return self.order_by("-id")

    def version_stats(self) -> list[VersionStats]:
        """Each model version's predictions, those with feedback and those right, newest
        version first (by its newest prediction), in one grouped query."""
        counts = (
            self.values("model_version")
            .annotate(
                predictions=Count("id"),
                feedback=Count("id", filter=Q(feedback_label__isnull=False)),
                correct=Count("id", filter=Q(feedback_correct=True)),
                newest=Max("id"),
            )
            .order_by("-newest")
            .values_list("model_version", "predictions", "feedback", "correct")
        )
        return [VersionStats._make(row) for row in counts]


class PredictionManager(models.Manager.from_queryset(PredictionQuerySet)):  # type: ignore[misc]
    """Storing new predictions: methods of the model's manager, as Django's docs advise for
    code that works on a table rather than a row (docs/spec.md#72-writing-and-reading)."""

    @tracer.start_as_current_span("store")
    def create_prediction(
        self,
        prediction: Predictions,
        source: str,
        model: Predictor,
        *,
        owner: User | None = None,
        visitor: str | None = None,
    ) -> Prediction:
        """One new prediction (a batch of one), with the ORM's ordinary INSERT (0.16 ms on
        SQLite), belonging to an account (`owner`), a visitor without one (`visitor`), or no
        one; counted in the model's metrics once stored (docs/spec.md#101-metrics)."""
        [outcome] = prediction
        row = self.create(
            **new_prediction_fields(outcome, source, model), owner=owner, visitor=visitor
        )
        model_metrics.predicted(model.version, source, prediction.labels, prediction.seconds)
        return row

    @tracer.start_as_current_span("store")
    def create_predictions(
        self,
        predictions: Predictions,
        source: str,
        model: Predictor,
        *,
        owner: User | None = None,
        visitor: str | None = None,
    ) -> list[Prediction]:
        """A batch of new predictions, in input order with their ids: all stored, or none; their
        owner or visitor as for `create_prediction`.

        Not `bulk_create`, which costs more than all the rest of a batch request. Measured on
        SQLite with the app's settings (Django 5.2, medians of 30 runs, model objects included):

        | rows  | bulk_create | this method |
        | ----- | ----------- | ----------- |
        | 100   | 5-10 ms     | 1.3 ms      |
        | 1,000 | 91-105 ms   | 17-28 ms    |

        while parsing, validating and predicting 1,000 rows takes 1.3 ms and writing the answer
        10-15 ms. `bulk_create` spends its time in the ORM's SQL compiler, which prepares each
        of the 11,000 values through its field in turn; no setting avoids that, and `batch_size`
        cannot go above 90 rows on SQLite. So the rows go through `connection.cursor()`,
        Django's documented layer beneath the ORM (about 10 ms of the 1,000 rows' time; building
        the model objects for the answer is most of the rest). The SQL holds column names and
        placeholders only: every value is a query parameter, the JSON columns' text written by
        `shared_web.jsoncodec` (the ORM would write the same values with the json module).
        """
        meta = self.model._meta
        using = router.db_for_write(self.model)
        connection = connections[using]
        created_at = timezone.now()
        defaults = {field.attname: field.get_default() for field in meta.concrete_fields}
        ownership = {"owner_id": owner.pk if owner else None, "visitor": visitor}
        rows = [
            {
                **defaults,
                **new_prediction_fields(outcome, source, model),
                **ownership,
                "created_at": created_at,
            }
            for outcome in predictions
        ]
        created = meta.get_field("created_at").get_db_prep_save(created_at, connection)
        with transaction.atomic(using=using), connection.cursor() as cursor:
            for start in range(0, len(rows), ROWS_PER_INSERT):
                chunk = rows[start : start + ROWS_PER_INSERT]
                values = [value for row in chunk for value in _insert_values(row, created)]
                cursor.execute(self._insert_sql(connection, len(chunk)), values)
                # SQLite and PostgreSQL number the rows of one INSERT in the order of its VALUES,
                # but do not promise to return them in that order (bulk_create assumes the same).
                ids = sorted(row_id for (row_id,) in cursor.fetchall())
                for row, row_id in zip(chunk, ids, strict=True):
                    row[meta.pk.attname] = row_id
        model_metrics.predicted(model.version, source, predictions.labels, predictions.seconds)
        # The saved rows as model instances, built the way a query builds the rows it reads
        # (`Model.from_db`: values in field order), at a third of the cost of `Prediction(**row)`.
        names = [field.attname for field in meta.concrete_fields]
        return [self.model.from_db(using, names, [row[name] for name in names]) for row in rows]

    def _insert_sql(self, connection: BaseDatabaseWrapper, rows: int) -> str:
        """`INSERT INTO table (columns) VALUES (%s, ...), ... RETURNING id`, for `rows` rows."""
        meta, quote = self.model._meta, connection.ops.quote_name
        columns = ", ".join(quote(meta.get_field(name).column) for name in INSERT_COLUMNS)
        row = "(" + ", ".join(["%s"] * len(INSERT_COLUMNS)) + ")"
        return (
            f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES {', '.join([row] * rows)} "
            f"RETURNING {quote(meta.pk.column)}"
        )


ROWS_PER_INSERT = 100
"""800 parameters a statement: within every SQLite's limit (999 before SQLite 3.32) and
PostgreSQL's; measured as fast as one statement for all 1,000 rows."""

# Every column a new prediction has; the feedback columns stay NULL until feedback is given.
# A new field must be added here (a test in tests/django_only checks that none is missing).
INSERT_COLUMNS = (
    "created_at",
    "source",
    "model_name",
    "model_version",
    "features",
    "label",
    "probabilities",
    "feedback_comment",
    "owner_id",
    "visitor",
)


def _insert_values(row: dict[str, Any], created_at: object) -> tuple[object, ...]:
    """A new row's values in `INSERT_COLUMNS` order, as the database takes them."""
    return (
        created_at,
        row["source"],
        row["model_name"],
        row["model_version"],
        jsoncodec.dumps_text(row["features"]),
        row["label"],
        jsoncodec.dumps_text(row["probabilities"]),
        row["feedback_comment"],
        row["owner_id"],
        row["visitor"],
    )


class Prediction(models.Model):
    class Source(models.TextChoices):
        API = "api", "API"
        FORM = "form", "Form"
        CSV = "csv", "CSV upload"

    created_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=8, choices=Source.choices)
    model_name = models.CharField(max_length=100)
    model_version = models.CharField(max_length=12)
    features = models.JSONField()
    label = models.CharField(max_length=100)
    probabilities = models.JSONField()
    # NULL, not "", means "no feedback yet", as in the Flask app's table.
    feedback_label = models.CharField(max_length=100, null=True, blank=True)  # noqa: DJ001
    feedback_correct = models.BooleanField(null=True)
    feedback_comment = models.TextField(blank=True, default="")
    feedback_at = models.DateTimeField(null=True, blank=True)
    # Whose it is (docs/spec.md#94-ownership): an account's, or the visitor id of a browser
    # session without one, or, both NULL, no one's (the API without a token).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="predictions",
    )
    visitor = models.CharField(max_length=32, null=True, blank=True, db_index=True)  # noqa: DJ001

    objects = PredictionManager()

    def __str__(self) -> str:
        return f"Prediction {self.pk}: {self.label}"

    def record_feedback(self, true_label: str, comment: str) -> None:
        """Say whether this prediction was right; a second call replaces the first."""
        self.feedback_label = true_label
        self.feedback_correct = true_label == self.label
        self.feedback_comment = comment
        self.feedback_at = timezone.now()
        self.save(
            update_fields=["feedback_label", "feedback_correct", "feedback_comment", "feedback_at"]
        )
        model_metrics.feedback(self.model_version, self.feedback_correct)
