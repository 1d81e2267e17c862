"""The Django admin lists and filters stored predictions, read-only, with their owners (none: a
visitor's or the API's without a token), for staff only: a Django-only extra.

Every other route is the same in both apps; `/admin/` exists only here, because an admin built
from the models is one of the things Django gives for free (create a user with
`django-admin createsuperuser`; docs/spec.md#81-differences-a-user-can-see).
"""

from django.contrib import admin
from django.http import HttpRequest

from .models import Prediction


@admin.register(Prediction)
class PredictionAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "created_at",
        "owner",
        "source",
        "label",
        "feedback_label",
        "feedback_correct",
        "model_version",
    )
    list_filter = ("source", "label", "feedback_correct", "model_version", "created_at")
    list_select_related = ("owner",)
    search_fields = ("label", "feedback_label", "feedback_comment", "owner__username")
    date_hierarchy = "created_at"
    ordering = ("-id",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Prediction | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Prediction | None = None) -> bool:
        return False
