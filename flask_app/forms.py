"""The HTML forms, built with Flask-WTF (which adds the CSRF token).

The prediction forms are made from the model's schema, with the API's rules and messages
(docs/spec.md#44-forms): shared_model checks a feature's text, shared_web words the feedback and
upload errors. The account forms (docs/spec.md#9-accounts-sessions-and-access) take their rules
and messages from shared_web.accounts.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import Field, FloatField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    StopValidation,
    ValidationError,
)
from wtforms.widgets import Input, NumberInput, PasswordInput, TextInput

from shared_model.schema import Feature
from shared_model.validation import parse_text_value
from shared_web.accounts import (
    OLD_PASSWORD_WRONG,
    PASSWORD_HELP,
    PASSWORD_MISMATCH,
    PASSWORD_WRONG,
    REQUIRED,
    TOKEN_NAME_MAX_LENGTH,
    TOKEN_NAME_TOO_LONG,
    USERNAME_MAX_LENGTH,
    USERNAME_TAKEN,
    password_problems,
    username_problems,
)
from shared_web.api_input import COMMENT_MAX_CHARS, COMMENT_MESSAGE, true_label_message
from shared_web.csv_files import NO_FILE_MESSAGE

from . import accounts_store
from .models import User
from .passwords import password_is


class NoEmptyValue:
    """An input with no `value` attribute at all while the field is empty (as Django renders it)."""

    def __call__(self, field: Field, **kwargs: Any) -> Any:
        if not field._value():
            kwargs["value"] = False  # WTForms leaves out an attribute set to False
        return super().__call__(field, **kwargs)  # type: ignore[misc]


class FeatureInput(NoEmptyValue, NumberInput):
    pass


class CommentInput(NoEmptyValue, TextInput):
    pass


class FeatureField(FloatField):
    """A number input for one feature: its text becomes a float the way `FloatField` converts
    it, with shared_model's rules and messages (an empty field is "Required: …", anything else
    wrong "Must be a number from MIN to MAX.")."""

    widget = FeatureInput()

    def __init__(self, feature: Feature, **kwargs: Any) -> None:
        attrs = {"step": "any", "min": feature.min_text, "max": feature.max_text, "required": True}
        super().__init__(feature.label_with_unit, render_kw=attrs, **kwargs)
        self.feature = feature

    def process_formdata(self, valuelist: list[Any]) -> None:
        # A ValueError's message becomes the field's error; the entered text is kept to show.
        self.data = None
        self.data = parse_text_value(self.feature, valuelist[0] if valuelist else None)


class PredictionFormBase(FlaskForm):
    def features(self) -> list[FeatureField]:
        return [field for field in self if isinstance(field, FeatureField)]

    def values(self) -> dict[str, float]:
        """The validated numbers, by feature name (call after `validate_on_submit`)."""
        return {field.name: field.data for field in self.features() if field.data is not None}


@cache
def prediction_form_class(features: tuple[Feature, ...]) -> type[PredictionFormBase]:
    """A form class with one field per feature, made once per model: a new data set needs no
    code change here (WTForms' way to build a form from data)."""
    fields = {feature.name: FeatureField(feature) for feature in features}
    return type("PredictionForm", (PredictionFormBase,), fields)


def strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class FeedbackForm(FlaskForm):
    true_label = SelectField("The true class")
    comment = StringField(
        "Comment (optional)",
        validators=[Optional(), Length(max=COMMENT_MAX_CHARS, message=COMMENT_MESSAGE)],
        filters=[strip],
        widget=CommentInput(),
    )

    def __init__(self, classes: Sequence[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.true_label.choices = [(c, c) for c in classes]
        # WTForms checks the choice; the message is the API's.
        self.true_label.invalid_choice_message = true_label_message(classes)


class BatchForm(FlaskForm):
    file = FileField(
        "CSV file",
        validators=[FileRequired(NO_FILE_MESSAGE)],
        render_kw={"accept": ".csv,text/csv"},
    )


# Accounts (docs/spec.md#91-pages): the labels and input attributes of Django's auth forms, so
# that both apps show the same forms; the rules and words are shared_web.accounts'.


class TextWidget(NoEmptyValue, TextInput):
    pass


class SecretInput(PasswordInput):
    """A password input with no `value` attribute at all (WTForms writes `value=""`; Django
    writes none)."""

    def __call__(self, field: Field, **kwargs: Any) -> Any:
        kwargs["value"] = False  # WTForms leaves out an attribute set to False
        return Input.__call__(self, field, **kwargs)


def username_text(value: str | None) -> str | None:
    """Spaces trimmed and Unicode compatibility forms folded (NFKC), as Django's `UsernameField`
    does, so that `ａｎｎ` and `ann` are one name."""
    if not isinstance(value, str):
        return value
    value = value.strip()
    return value if len(value) > USERNAME_MAX_LENGTH else unicodedata.normalize("NFKC", value)


def username_field(*validators: Callable[..., None]) -> StringField:
    return StringField(
        "Username",
        validators=[DataRequired(REQUIRED), *validators],
        filters=[username_text],
        widget=TextWidget(),
        render_kw={
            "maxlength": USERNAME_MAX_LENGTH,
            "autocapitalize": "none",
            "autocomplete": "username",
            "autofocus": True,
        },
    )


def password_field(
    label: str, autocomplete: str, *validators: Callable[..., None], **kwargs: Any
) -> PasswordField:
    """Spaces are part of a password: it is required, not stripped."""
    return PasswordField(
        label,
        validators=[InputRequired(REQUIRED), *validators],
        widget=SecretInput(),
        render_kw={"autocomplete": autocomplete, **kwargs.pop("render_kw", {})},
        **kwargs,
    )


def new_username(form: FlaskForm, field: Field) -> None:
    """A username by the rules, that no account has in any letter case."""
    for problem in username_problems(field.data):
        raise ValidationError(problem)
    if accounts_store.username_taken(field.data):
        raise ValidationError(USERNAME_TAKEN)


class NewPassword:
    """The second password field's check, in Django's order: the two must match; then every
    rule the password breaks, each its own error under this field."""

    def __init__(self, first: str) -> None:
        self.first = first

    def __call__(self, form: NewPasswordForm, field: Field) -> None:
        first = form[self.first].data
        if first and field.data and first != field.data:
            raise StopValidation(PASSWORD_MISMATCH)
        problems = password_problems(field.data, form.similar_to())
        if problems:
            field.errors.extend(problems)
            raise StopValidation  # the messages are in; no other check runs


class NewPasswordForm(FlaskForm):
    def similar_to(self) -> str:
        """The username a new password must not be like."""
        raise NotImplementedError


class SignupForm(NewPasswordForm):
    username = username_field(new_username)
    password1 = password_field("Password", "new-password", description=PASSWORD_HELP)
    password2 = password_field("Password confirmation", "new-password", NewPassword("password1"))

    def similar_to(self) -> str:
        # Only a good username is compared, as Django compares the account it would create.
        return "" if self.username.errors else self.username.data or ""


class LoginForm(FlaskForm):
    username = username_field()
    password = password_field("Password", "current-password")
    next = HiddenField()  # where to go after logging in, from the query string


class UserForm(FlaskForm):
    """A form about the logged-in account."""

    def __init__(self, user: User, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.user = user


class PasswordChangeForm(UserForm, NewPasswordForm):
    old_password = password_field("Old password", "current-password", render_kw={"autofocus": True})
    new_password1 = password_field("New password", "new-password", description=PASSWORD_HELP)
    new_password2 = password_field(
        "New password confirmation", "new-password", NewPassword("new_password1")
    )

    def similar_to(self) -> str:
        return self.user.username

    def validate_old_password(self, field: Field) -> None:
        if not password_is(self.user, field.data):
            raise ValidationError(OLD_PASSWORD_WRONG)


class DeleteAccountForm(UserForm):
    password = password_field("Password", "current-password")

    def validate_password(self, field: Field) -> None:
        if not password_is(self.user, field.data):
            raise ValidationError(PASSWORD_WRONG)


class TokenForm(FlaskForm):
    name = StringField(
        "Name",
        validators=[
            DataRequired(REQUIRED),
            Length(max=TOKEN_NAME_MAX_LENGTH, message=TOKEN_NAME_TOO_LONG),
        ],
        filters=[strip],
        widget=TextWidget(),
    )
