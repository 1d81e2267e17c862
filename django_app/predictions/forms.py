"""The HTML forms, built with Django forms from the model's schema (CSRF comes from middleware).

A feature's rules and messages are the model's own (`shared_model.validation.parse_text_value`),
so the form and the JSON API refuse the same values with the same words."""

from __future__ import annotations

from typing import Any

from django import forms

from shared_model.schema import Feature
from shared_model.validation import parse_text_value
from shared_web.api_input import COMMENT_MAX_CHARS, COMMENT_MESSAGE, true_label_message
from shared_web.csv_files import EMPTY_FILE_MESSAGE, NO_FILE_MESSAGE


class FeatureField(forms.Field):
    """A number input for one feature, checked with shared_model's rules and messages."""

    def __init__(self, feature: Feature, **kwargs: Any) -> None:
        attrs = {"step": "any", "min": feature.min_text, "max": feature.max_text}
        super().__init__(
            label=feature.label_with_unit, widget=forms.NumberInput(attrs=attrs), **kwargs
        )
        self.feature = feature

    def to_python(self, value: Any) -> float:
        try:
            return parse_text_value(self.feature, value)
        except ValueError as exc:
            raise forms.ValidationError(str(exc), code="invalid") from None


class PredictionForm(forms.Form):
    """One field per feature: a new data set needs no code change here."""

    def __init__(self, *args: Any, features: tuple[Feature, ...], **kwargs: Any) -> None:
        super().__init__(*args, auto_id="%s", label_suffix="", **kwargs)
        for feature in features:
            self.fields[feature.name] = FeatureField(feature)


class FeedbackForm(forms.Form):
    true_label = forms.ChoiceField(label="The true class")
    comment = forms.CharField(
        label="Comment (optional)",
        required=False,
        max_length=COMMENT_MAX_CHARS,
        error_messages={"max_length": COMMENT_MESSAGE},
    )

    def __init__(self, *args: Any, classes: tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(*args, auto_id="%s", label_suffix="", **kwargs)
        field = self.fields["true_label"]
        field.choices = [(c, c) for c in classes]  # type: ignore[attr-defined]
        message = true_label_message(classes)
        field.error_messages.update(required=message, invalid_choice=message)


class BatchForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}),
        error_messages={"required": NO_FILE_MESSAGE, "empty": EMPTY_FILE_MESSAGE},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, auto_id="%s", label_suffix="", **kwargs)
