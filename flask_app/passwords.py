"""Passwords, through Werkzeug's hashing (docs/spec.md#92-usernames-and-passwords): stored only
as a salted, slow hash (`PASSWORD_HASH_METHOD`, Werkzeug's default scrypt), and checked in the
same time whether or not the account exists."""

from __future__ import annotations

from functools import cache

from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from . import accounts_store
from .models import User


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def password_is(user: User, password: str) -> bool:
    return check_password_hash(user.password_hash, password)


@cache
def _hash_of_no_account(method: str) -> str:
    """A hash to check against when no account has the username, made once per method."""
    return generate_password_hash("no account has this username", method=method)


def authenticate(username: str, password: str) -> User | None:
    """The account with this username and password, or None.

    For an unknown username the hasher runs all the same, against a hash of the configured
    method, so that the answer's time does not tell a missing account from a wrong password.
    """
    user = accounts_store.user_named(username)
    if user is None:
        check_password_hash(
            _hash_of_no_account(current_app.config["PASSWORD_HASH_METHOD"]), password
        )
        return None
    return user if password_is(user, password) else None
