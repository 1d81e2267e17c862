"""The predictions app; it loads the model once per process, when Django's registry is ready."""

from django.apps import AppConfig, apps
from django.conf import settings

from shared_model.artifact import load_model
from shared_model.predictor import Predictor


class PredictionsConfig(AppConfig):
    name = "django_app.predictions"
    verbose_name = "Predictions"
    default_auto_field = "django.db.models.BigAutoField"

    model: Predictor

    def ready(self) -> None:
        self.model = load_model(settings.MODEL_PATH)


def current_model() -> Predictor:
    """The model loaded at start-up, shared by every request of this process."""
    config = apps.get_app_config("predictions")
    assert isinstance(config, PredictionsConfig)
    return config.model
