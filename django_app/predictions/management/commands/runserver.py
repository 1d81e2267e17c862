"""`runserver`, stopping with one line when the model cannot be served.

`runserver` imports WSGI_APPLICATION (`django_app/wsgi.py`, which loads the model) in its
autoreloader's thread, where an exception prints a traceback and leaves the reloader waiting
for a file to change. The spec wants one line that names the fix and a stopped server
(docs/spec.md#13-starting-and-refusing-to-start). Django's runserver does exactly that for its
own start-up error, a port in use: it prints `Error: ...` and leaves with `os._exit(1)` (an
`exit()` would only end the thread); this does the same for the model.

It overrides the `runserver` of `django.contrib.staticfiles` (which serves static files when
`DEBUG` is on), so the predictions app comes before it in INSTALLED_APPS: Django's rule for
overriding a management command.
"""

import os
from typing import Any

from django.contrib.staticfiles.management.commands import runserver

from shared_model.artifact import ModelError


class Command(runserver.Command):
    def get_handler(self, *args: Any, **options: Any) -> Any:
        try:
            return super().get_handler(*args, **options)
        except ModelError as error:
            self.stderr.write(f"Error: {error}")
            self.stderr.flush()
            os._exit(1)
