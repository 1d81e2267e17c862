"""What both web apps need that is about the web, written once and free of any framework.

The Flask app and the Django app must answer alike: the same JSON shapes and bytes, the same
error codes and messages, the same header values and page texts (docs/spec.md). Written twice,
those would drift apart; written inside one app, the other would import a framework it does not
use. So they live here, as plain data and functions that each app applies with its own tools:
Flask's hooks, error handlers and Jinja filters; Django's settings, middleware and template
builtins. Anything a framework already does (routing, forms, sessions, CSRF, the database)
stays in each app, written the framework's way.

`shared_model` is the model and knows nothing of HTTP; this package knows nothing of training.
"""

from pathlib import Path

STATIC_FOLDER = Path(__file__).with_name("static")
"""The stylesheet and favicon both apps serve under `/static/` (package data of the wheel)."""
