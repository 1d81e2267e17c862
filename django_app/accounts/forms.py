"""The account forms: Django's auth forms, with the spec's words (docs/spec.md#92-usernames-and-passwords).

Each subclass changes only what the spec fixes: its messages, through `error_messages` (Django's
own where it words them alike, e.g. "This field is required."), the password help text, and
the ids of the inputs, which are their names as on every form of the site. The rules are
Django's: its case-insensitive username check, `AUTH_PASSWORD_VALIDATORS` (shown under the
second password field), its hasher and `authenticate`.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, UserCreationForm
from django.contrib.auth.models import User
from django.http import HttpRequest

from shared_web import accounts

from . import limits
from .models import ApiToken

FORM_OPTIONS = {"auto_id": "%s", "label_suffix": ""}
"""Inputs identified by their names and labels without a colon, like the prediction forms."""

USERNAME_MESSAGES: dict[str, str] = {
    "max_length": accounts.USERNAME_TOO_LONG,
    "invalid": accounts.USERNAME_INVALID,
    "unique": accounts.USERNAME_TAKEN,
}


def password_help_text() -> str:
    """The validators' help as one plain sentence; Django's own is an HTML list."""
    return " ".join(password_validation.password_validators_help_texts())


class SignupForm(UserCreationForm):
    error_messages: ClassVar[dict[str, str]] = {"password_mismatch": accounts.PASSWORD_MISMATCH}

    class Meta(UserCreationForm.Meta):
        # Overrides the model's messages too (`unique`, `invalid`), as ModelForm does.
        error_messages: ClassVar[dict[str, dict[str, str]]] = {"username": USERNAME_MESSAGES}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **FORM_OPTIONS, **kwargs)
        # The spec's one help text; the model's for the username and Django's "Enter the same
        # password as before" are left out.
        self.fields["username"].help_text = ""
        self.fields["password1"].help_text = password_help_text()
        self.fields["password2"].help_text = ""


class LimitedLogInMixin:
    """Counts each log-in attempt against the limit of docs/spec.md#96-limits before Django's
    `authenticate` checks the password, and clears the count once it succeeds.

    In the form's `clean`, so that the count is keyed by the username as the form cleaned it
    (spaces trimmed, Unicode folded, as `authenticate` receives it: ` ann` and `ann` are one
    count), and an attempt with an empty field counts nothing. Used by the site's log-in form
    and by the admin's (`admin.py`), so that no log-in path escapes the limit.
    """

    request: HttpRequest | None
    cleaned_data: dict[str, Any]

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if self.request is None or username is None or not password:
            return super().clean()  # type: ignore[misc,no-any-return]
        key = limits.login_key(self.request, username)
        limits.count_login_attempt(key)
        cleaned: dict[str, Any] = super().clean()  # type: ignore[misc]
        limits.clear_login_failures(key)
        return cleaned


class LoginForm(LimitedLogInMixin, AuthenticationForm):
    """The same words for an unknown username and a wrong password (docs/spec.md#91-pages)."""

    error_messages: ClassVar[dict[str, str]] = {
        **AuthenticationForm.error_messages,
        "invalid_login": accounts.LOGIN_FAILED,
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **FORM_OPTIONS, **kwargs)


class AdminLoginForm(LimitedLogInMixin, AdminAuthenticationForm):
    """The admin's log-in, under the same limit."""


class PasswordForm(PasswordChangeForm):
    error_messages: ClassVar[dict[str, str]] = {
        "password_mismatch": accounts.PASSWORD_MISMATCH,
        "password_incorrect": accounts.OLD_PASSWORD_WRONG,
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **FORM_OPTIONS, **kwargs)
        self.fields["new_password1"].help_text = password_help_text()
        self.fields["new_password2"].help_text = ""


class DeleteAccountForm(forms.Form):
    """The account's password, asked again before it and everything it owns are deleted; checked
    as `PasswordChangeForm` checks the old password."""

    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **FORM_OPTIONS, **kwargs)

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(accounts.PASSWORD_WRONG, code="password_incorrect")
        return password


class TokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ("name",)
        error_messages: ClassVar[dict[str, dict[str, str]]] = {
            "name": {"max_length": accounts.TOKEN_NAME_TOO_LONG}
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **FORM_OPTIONS, **kwargs)
