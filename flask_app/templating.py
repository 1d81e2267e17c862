"""What every template gets: shared_web's display filters (docs/spec.md#46-numbers-and-times-on-
pages), and the model and footer that the base layout shows."""

from __future__ import annotations

from importlib.metadata import version
from typing import Any

from flask import Flask

from shared_web.display import display_time, number, percent, share

from .extensions import current_model

SERVED_BY = f"Flask {version('flask')}"


def layout() -> dict[str, Any]:
    return {"model": current_model(), "served_by": SERVED_BY}


def init_app(app: Flask) -> None:
    app.jinja_env.trim_blocks = app.jinja_env.lstrip_blocks = True
    for template_filter in (display_time, number, percent, share):
        app.add_template_filter(template_filter)
    app.context_processor(layout)
