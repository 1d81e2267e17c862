"""The spec's password rules as Django's password validator (docs/spec.md#92-usernames-and-passwords).

`AUTH_PASSWORD_VALIDATORS` names this one class instead of Django's four: the rules and their
words live in `shared_web.accounts`, so the Flask app refuses the same passwords alike. Django's
forms call it through `password_validation.validate_password`, `createsuperuser` too.
"""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError

from shared_web.accounts import PASSWORD_HELP, password_problems


class SharedPasswordValidator:
    def validate(self, password: str, user: AbstractBaseUser | None = None) -> None:
        """Every broken rule as its own error, so a form shows each message on its own."""
        username = user.get_username() if user is not None else ""
        problems = password_problems(password, username or "")
        if problems:
            raise ValidationError([ValidationError(p, code="password_invalid") for p in problems])

    def get_help_text(self) -> str:
        return PASSWORD_HELP
