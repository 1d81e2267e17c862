"""The accounts app: sign-up, log-in and the account pages on top of `django.contrib.auth`, API
tokens, and the counts behind the limits (docs/spec.md#9-accounts-sessions-and-access)."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "django_app.accounts"
    verbose_name = "Accounts"
