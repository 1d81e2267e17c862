"""The account pages' routes (docs/spec.md#91-pages), included at `accounts/`."""

from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("signup", views.SignupView.as_view(), name="signup"),
    path("login", views.LoginView.as_view(), name="login"),
    path("logout", views.LogoutView.as_view(), name="logout"),
    path("password", views.PasswordChangeView.as_view(), name="password_change"),
    path("delete", views.DeleteAccountView.as_view(), name="delete"),
    path("tokens", views.TokensView.as_view(), name="tokens"),
    path("tokens/<bigint:token_id>/revoke", views.revoke_token, name="revoke_token"),
]
