"""The HTML forms, built with Flask-WTF (which adds the CSRF token) from the model's schema."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import Field, SelectField, StringField
from wtforms.validators import Length, Optional, ValidationError
from wtforms.widgets import NumberInput, TextInput

from shared_model.predictor import Predictor
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


def strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class FeatureField(StringField):
    """A number input for one feature, checked with shared_model's rules and messages."""

    widget = FeatureInput()

    def __init__(self, feature: Feature, **kwargs: Any) -> None:
        attrs = {"step": "any", "min": feature.min_text, "max": feature.max_text, "required": True}
        super().__init__(feature.label_with_unit, render_kw=attrs, **kwargs)
        self.feature = feature
        self.number: float | None = None

    def pre_validate(self, form: FlaskForm) -> None:
        try:
            self.number = parse_text_value(self.feature, self.data)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None

    def _value(self) -> str:
        return "" if self.data is None else str(self.data)


class PredictionFormBase(FlaskForm):
    def features(self) -> list[FeatureField]:
        return [field for field in self if isinstance(field, FeatureField)]

    def values(self) -> dict[str, float]:
        """The validated numbers, by feature name (call after `validate_on_submit`)."""
        return {field.name: field.number for field in self.features() if field.number is not None}


def prediction_form_class(model: Predictor) -> type[PredictionFormBase]:
    """A form class with one field per feature: a new data set needs no code change here."""
    fields: dict[str, Field] = {f.name: FeatureField(f) for f in model.features}  # type: ignore[misc]
    return type("PredictionForm", (PredictionFormBase,), fields)


class ClassField(SelectField):
    """The true class, one of the model's; a wrong one gets shared_model's message."""

    def pre_validate(self, form: FlaskForm) -> None:
        classes = [value for value, _ in self.choices or []]
        if self.data not in classes:
            raise ValidationError(true_label_message(classes))


class FeedbackForm(FlaskForm):
    true_label = ClassField("The true class")
    comment = StringField(
        "Comment (optional)",
        validators=[Optional(), Length(max=COMMENT_MAX_CHARS, message=COMMENT_MESSAGE)],
        filters=[strip],
        widget=CommentInput(),
    )

    def __init__(self, classes: tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.true_label.choices = [(c, c) for c in classes]


class BatchForm(FlaskForm):
    file = FileField(
        "CSV file",
        validators=[FileRequired(NO_FILE_MESSAGE)],
        render_kw={"accept": ".csv,text/csv"},
    )
