"""The database table: one row per prediction, holding all that the prediction object shows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connections, models, transaction
from django.db.models import Count, Q
from django.utils import timezone

from shared_model import inserts
from shared_model.predictor import Predictions, Predictor


class PredictionQuerySet(models.QuerySet["Prediction"]):
    def newest_first(self) -> PredictionQuerySet:
        """Newest first, by id: the primary key's index makes every page and count cheap."""
        return self.order_by("-id")

    def feedback_stats(self) -> tuple[int, int]:
        """How many predictions have feedback, and how many of those were right."""
        counts = self.filter(feedback_label__isnull=False).aggregate(
            total=Count("id"), right=Count("id", filter=Q(feedback_correct=True))
        )
        return counts["total"], counts["right"]


class PredictionManager(models.Manager.from_queryset(PredictionQuerySet)):  # type: ignore[misc]
    def store(self, predictions: Predictions, source: str, model: Predictor) -> inserts.StoredBatch:
        """Store new predictions in one transaction: all of them or, on any error, none.

        One INSERT through Django's own connection, in place of `bulk_create`
        (shared_model/inserts.py says why); everything that reads the rows uses the ORM.
        """
        batch = inserts.NewPredictions.of(predictions, model, source)
        connection = connections[self.db]
        with transaction.atomic(using=self.db), connection.cursor() as cursor:

            def execute(sql: str, parameters: Sequence[object]) -> list[tuple[Any, ...]]:
                cursor.execute(sql, parameters)
                return cursor.fetchall()

            return inserts.insert(
                execute,
                connection.ops.quote_name(self.model._meta.db_table),
                batch,
                "%s",  # Django's cursors take %s on every database
                connection.ops.adapt_datetimefield_value(batch.created_at),
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
