"""The HTML forms, built with Flask-WTF (which adds the CSRF token) from the model's schema.

Their rules and messages are the API's (docs/spec.md#44-forms): shared_model checks a feature's
text, shared_web words the feedback and upload errors.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import Field, FloatField, SelectField, StringField
from wtforms.validators import Length, Optional
from wtforms.widgets import NumberInput, TextInput

from shared_model.schema import Feature
from shared_model.validation import parse_text_value
from shared_web.api_input import COMMENT_MAX_CHARS, COMMENT_MESSAGE, true_label_message
from shared_web.csv_files import NO_FILE_MESSAGE


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
