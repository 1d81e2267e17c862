"""The project's URLs: the contract's routes from the predictions app, and Django's admin."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("django_app.predictions.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "django_app.predictions.views.bad_request"
handler403 = "django_app.predictions.views.permission_denied"
handler404 = "django_app.predictions.views.page_not_found"
handler500 = "django_app.predictions.views.server_error"
