"""The account rules both apps enforce (docs/spec.md#9-accounts-sessions-and-access): what a
username may be, what a password must be, and every message a person sees about them.

Each app plugs these into its framework's own hooks: Django's `AUTH_PASSWORD_VALIDATORS` and its
auth forms' `error_messages`; Flask-WTF validators. Written once, so the two apps refuse the same
passwords with the same words.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

USERNAME_MAX_LENGTH = 150
USERNAME_PATTERN = re.compile(r"[\w.@+-]+\Z")
"""Letters, digits and `@.+-_`: Django's `UnicodeUsernameValidator`, so both apps take the same
names."""

PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_SIMILARITY = 0.7
"""As Django's `UserAttributeSimilarityValidator`: `SequenceMatcher.quick_ratio` from 0.7 up is
"too similar"."""

TOKEN_NAME_MAX_LENGTH = 100

# Messages, Django's own wording where Django has one.
REQUIRED = "This field is required."
USERNAME_INVALID = (
    "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ "
    "characters."
)
USERNAME_TOO_LONG = f"Ensure this value has at most {USERNAME_MAX_LENGTH} characters."
USERNAME_TAKEN = "A user with that username already exists."
PASSWORD_TOO_SHORT = (
    f"This password is too short. It must contain at least {PASSWORD_MIN_LENGTH} characters."
)
PASSWORD_NUMERIC = "This password is entirely numeric."
PASSWORD_TOO_SIMILAR = "The password is too similar to the username."
PASSWORD_HELP = (
    f"At least {PASSWORD_MIN_LENGTH} characters, not all digits, and not like your username."
)
PASSWORD_MISMATCH = "The two password fields didn’t match."
LOGIN_FAILED = (
    "Please enter a correct username and password. Note that both fields may be case-sensitive."
)
OLD_PASSWORD_WRONG = "Your old password was entered incorrectly. Please enter it again."
PASSWORD_WRONG = "Your password was entered incorrectly. Please enter it again."
TOKEN_NAME_TOO_LONG = f"Ensure this value has at most {TOKEN_NAME_MAX_LENGTH} characters."

# Messages after a redirect (Django's messages framework, Flask's `flash`).
PASSWORD_CHANGED = "Your password was changed; your other sessions have ended."
ACCOUNT_DELETED = "Your account and every prediction it owned have been deleted."


def username_problems(username: str) -> list[str]:
    """What is wrong with a new username's form (uniqueness is the database's to say)."""
    if len(username) > USERNAME_MAX_LENGTH:
        return [USERNAME_TOO_LONG]
    if not USERNAME_PATTERN.match(username):
        return [USERNAME_INVALID]
    return []


def password_problems(password: str, username: str = "") -> list[str]:
    """Every rule a new password breaks, in a fixed order; empty when it is good."""
    problems = []
    if len(password) < PASSWORD_MIN_LENGTH:
        problems.append(PASSWORD_TOO_SHORT)
    if password.isdigit():
        problems.append(PASSWORD_NUMERIC)
    if username and _too_similar(password, username):
        problems.append(PASSWORD_TOO_SIMILAR)
    return problems


def _too_similar(password: str, username: str) -> bool:
    """Like the username as a whole or like any of its parts (`ann.smith`: `ann`, `smith`)."""
    password = password.lower()
    name = username.lower()
    for part in {name, *re.split(r"\W+", name)}:
        if part and SequenceMatcher(a=password, b=part).quick_ratio() >= PASSWORD_MAX_SIMILARITY:
            return True
    return False
