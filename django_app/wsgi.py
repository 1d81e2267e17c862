"""The WSGI entry point (docs/spec.md#11-commands): `gunicorn django_app.wsgi:application`.

Servers import this module (gunicorn, mod_wsgi, and `runserver` through WSGI_APPLICATION);
management commands such as `migrate` do not. That is how the app tells a server start from a
management command: the model is loaded here, once per process, before the first request, so a
missing or tampered model stops the server while it starts (gunicorn: "Worker failed to boot";
docs/spec.md#13-starting-and-refusing-to-start), and no command ever needs one.
"""

import os

from django.core.wsgi import get_wsgi_application

from django_app.predictions.apps import current_model

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "django_app.settings")

application = get_wsgi_application()
current_model()
