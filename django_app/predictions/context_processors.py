"""What every page's layout shows: the model and the framework serving it."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from .apps import current_model


def layout(request: HttpRequest) -> dict[str, Any]:
    return {"model": current_model(), "served_by": settings.SERVED_BY}
