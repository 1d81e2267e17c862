"""The model both web apps serve: training, the artifact, validation, prediction and payloads.

No web framework is imported here. The Flask and Django apps call this package for everything
they would otherwise both have to write: the schema, validation, the JSON shapes and the errors.
"""

from .api import ApiError
from .artifact import (
    DEFAULT_MODEL_PATH,
    ModelError,
    ModelIntegrityError,
    ModelNotFoundError,
    load_model,
)
from .csv_files import CsvUploadError
from .predictor import Model, Outcome
from .schema import Feature, Manifest
from .validation import ValidationError

__all__ = [
    "DEFAULT_MODEL_PATH",
    "ApiError",
    "CsvUploadError",
    "Feature",
    "Manifest",
    "Model",
    "ModelError",
    "ModelIntegrityError",
    "ModelNotFoundError",
    "Outcome",
    "ValidationError",
    "load_model",
]
