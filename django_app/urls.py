"""The project's URLs: the predictions app's routes, the account pages
(docs/spec.md#91-pages), Django's admin (docs/spec.md#81-differences-a-user-can-see), and in
development the recent spans (docs/spec.md#103-traces).

Django looks for the error views here, by these names; they live in `predictions/errors.py`.
"""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, register_converter
from django.views.decorators.http import require_safe
from django_prometheus.exports import ExportToDjangoView

from django_app import telemetry
from django_app.predictions.converters import IdConverter

# Before the apps' URLconfs are read: both use `<bigint:...>` for their ids.
register_converter(IdConverter, "bigint")

urlpatterns = [
    path("", include("django_app.predictions.urls")),
    path("accounts/", include("django_app.accounts.urls")),
    path("admin/", admin.site.urls),
]
if settings.METRICS_ENABLED:
    # django-prometheus's view (what `include("django_prometheus.urls")` maps), GET and HEAD only
    # as every other page that only reads (docs/spec.md#101-metrics).
    urlpatterns.append(path("metrics", require_safe(ExportToDjangoView), name="metrics"))
if settings.APP_ENV == "development":
    # The recent spans of every worker (docs/spec.md#103-traces); in production, a 404.
    urlpatterns.append(path("_dev/spans", telemetry.recent_spans, name="recent-spans"))

handler400 = "django_app.predictions.errors.bad_request"
handler403 = "django_app.predictions.errors.permission_denied"
handler404 = "django_app.predictions.errors.page_not_found"
handler500 = "django_app.predictions.errors.server_error"
