"""The project's URLs: the predictions app's routes, and Django's admin
(docs/spec.md#81-differences-a-user-can-see).

Django looks for the error views here, by these names; they live in `predictions/errors.py`.
"""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("django_app.predictions.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "django_app.predictions.errors.bad_request"
handler403 = "django_app.predictions.errors.permission_denied"
handler404 = "django_app.predictions.errors.page_not_found"
handler500 = "django_app.predictions.errors.server_error"
