"""gunicorn, the application server, as deployed behind nginx (deploy/nginx.conf).

    gunicorn -c deploy/gunicorn.conf.py flask_app:create_app()
    gunicorn -c deploy/gunicorn.conf.py django_app.wsgi:application

Set GUNICORN_BIND and GUNICORN_WORKERS per instance; SCRIPT_NAME=/flask (or /django) tells the app
the prefix nginx serves it under (docs/spec.md#65-mounted-under-a-prefix).
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")  # loopback only: nginx is the way in
# gunicorn's rule of thumb is 2 × cores + 1; the model's predictions are CPU-bound and short.
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
timeout = 30  # a worker silent this long is restarted (nginx gives up at 30 s too)
graceful_timeout = 20  # on SIGTERM, finish the requests in flight first
keepalive = 5
preload_app = True  # load the app and its model once, then fork: workers share the model's memory
forwarded_allow_ips = "127.0.0.1"  # X-Forwarded-* is believed from nginx on this machine only
accesslog = "-"
# Each line ends with the request id the app answered with (docs/spec.md#102-request-ids): the
# `{NAME}o` atom is a response header, its name in lower case.
access_log_format = (
    '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(f)s" "%(a)s" request_id=%({x-request-id}o)s'
)
