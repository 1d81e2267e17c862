"""The database table: one row per prediction, holding all that the prediction object shows."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models, transaction
from django.db.models import Count, Q
from django.utils import timezone

from shared_model import Model, Outcome


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
    def store(self, outcomes: Iterable[Outcome], source: str, model: Model) -> list[Prediction]:
        """Store predictions in one transaction: all of them or, on any error, none."""
        rows = [Prediction(**model.row(outcome, source)) for outcome in outcomes]
        with transaction.atomic():
            return self.bulk_create(rows)


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
