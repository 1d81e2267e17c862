"""The WSGI script of one app under mod_wsgi (deploy/apache/httpd.conf). deploy/httpd.py copies
it to `flask.wsgi` and `django.wsgi`: the name says which app, and touching the copy makes
mod_wsgi restart that app's daemon processes, which load the model `current` names then (a
roll-out, docs/deploy.md#rolling-out-a-model).

The processes inherit Apache's environment (APP_ENV, DATABASE_URL, MODEL_PATH, ...); what differs
per app is set here, before the app, and prometheus_client with it, is imported.
"""

import atexit
import os
from pathlib import Path

APP = Path(__file__).stem
# Each daemon group adds up its own processes' metrics (docs/spec.md#101-metrics) in a folder
# the stack empties before Apache starts.
os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(Path(os.environ["METRICS_ROOT"], APP))

from prometheus_client import multiprocess  # noqa: E402 - reads the folder above on import

# mod_wsgi has no hook like gunicorn's child_exit: each process marks itself dead as it shuts
# down (a restart, a roll-out, Apache stopping), which drops its live gauges from the total. A
# process killed outright leaves them until the next start empties the folder.
atexit.register(multiprocess.mark_process_dead, os.getpid())

if APP == "flask":
    from flask_app import create_app

    application = create_app()
else:
    from django_app.wsgi import application  # noqa: F401 - mod_wsgi calls `application`
