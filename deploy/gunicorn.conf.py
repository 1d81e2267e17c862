"""gunicorn, the application server, as deployed behind nginx (deploy/nginx.conf).

    gunicorn -c deploy/gunicorn.conf.py flask_app:create_app()
    gunicorn -c deploy/gunicorn.conf.py django_app.wsgi:application

Set GUNICORN_BIND and GUNICORN_WORKERS per instance; SCRIPT_NAME=/flask (or /django) tells the app
the prefix nginx serves it under (docs/spec.md#65-mounted-under-a-prefix).
"""

import os
import shutil
import tempfile
from pathlib import Path

from gunicorn.arbiter import Arbiter
from gunicorn.workers.base import Worker

# Prometheus metrics of all workers (docs/spec.md#101-metrics): each instance its own folder,
# named before any worker imports prometheus_client (which reads the variable at import). This
# file is read again on HUP; the variable, set by then, keeps its folder.
OWN_FOLDER_PREFIX = "gunicorn-metrics-"
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix=OWN_FOLDER_PREFIX)

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")  # loopback only: nginx is the way in
# gunicorn's rule of thumb is 2 × cores + 1; the model's predictions are CPU-bound and short.
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
timeout = 30  # a worker silent this long is restarted (nginx gives up at 30 s too)
graceful_timeout = 20  # on SIGTERM, finish the requests in flight first
keepalive = 5
# Not preloaded: each worker builds the app and loads the model after the fork, so on HUP the new
# workers load the model that `current` names now (a preloaded app would keep the old one until
# a restart). The price: each worker holds its own copy of the model
# (docs/spec.md#104-a-new-model-without-downtime).
preload_app = False
forwarded_allow_ips = "127.0.0.1"  # X-Forwarded-* is believed from nginx on this machine only
accesslog = "-"
# Each line ends with the request id the app answered with (docs/spec.md#102-request-ids): the
# `{NAME}o` atom is a response header, its name in lower case.
access_log_format = (
    '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(f)s" "%(a)s" request_id=%({x-request-id}o)s'
)


def metrics_folder() -> Path:
    return Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])


def on_starting(server: Arbiter) -> None:
    """Start the counts at zero: values left by an earlier run of this instance would add up
    with the new ones."""
    shutil.rmtree(metrics_folder(), ignore_errors=True)
    metrics_folder().mkdir(parents=True)


def child_exit(server: Arbiter, worker: Worker) -> None:
    """Drop an exited worker's live gauges; its counters go on counting in the total."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server: Arbiter) -> None:
    """Remove the temporary folder made above (a folder given in the variable is left)."""
    if metrics_folder().name.startswith(OWN_FOLDER_PREFIX):
        shutil.rmtree(metrics_folder(), ignore_errors=True)
