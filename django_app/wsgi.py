"""The WSGI entry point (docs/spec.md#11-commands): `gunicorn django_app.wsgi:application`.

Servers import this module (gunicorn, mod_wsgi, and `runserver` through WSGI_APPLICATION);
management commands such as `migrate` do not. That is how the app tells a server start from a
management command: the model is loaded here, once per process, before the first request, so a
missing or tampered model stops the server while it starts (gunicorn: "Worker failed to boot";
docs/spec.md#13-starting-and-refusing-to-start), and no command ever needs one. Tracing is set
up here too, so commands make no spans.
"""

import os

from django.core.wsgi import get_wsgi_application

from django_app.predictions.apps import current_model
from django_app.telemetry import instrument

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "django_app.settings")

instrument()  # before the WSGI app reads MIDDLEWARE (docs/spec.md#103-traces)
application = get_wsgi_application()
current_model()
