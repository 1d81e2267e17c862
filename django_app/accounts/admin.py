"""API tokens in Django's admin, for staff: who has which, and when each was last used. A staff
member may delete (revoke) one; a token is made only on /accounts/tokens, where its owner sees
the secret once. The admin's log-in form is the limited one of `forms.py`."""

from django.contrib import admin
from django.http import HttpRequest

from .forms import AdminLoginForm
from .models import ApiToken

# The admin's log-in counts against the failed log-in limit too (docs/spec.md#96-limits).
admin.site.login_form = AdminLoginForm


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "created_at", "last_used_at")
    list_select_related = ("user",)
    search_fields = ("name", "user__username")
    exclude = ("digest",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return False
