"""One WSGI app: the Flask app at /flask, the Django app at /django, the side-by-side page at /.

Both apps run in each worker process, each with its own database: `FLASK_DATABASE_URL` and
`DJANGO_DATABASE_URL` (both apps read `DATABASE_URL`, so one process needs a name for each).

    gunicorn side_by_side.wsgi:application
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from importlib.metadata import version
from pathlib import Path
from string import Template
from typing import Any

from werkzeug.middleware.dispatcher import DispatcherMiddleware

from shared_web.headers import SECURITY_HEADERS

HERE = Path(__file__).parent

StartResponse = Callable[..., Any]
Environ = dict[str, Any]


def _page() -> bytes:
    names = {"flask": f"Flask {version('flask')}", "django": f"Django {version('django')}"}
    return Template((HERE / "page.html").read_text()).substitute(names).encode()


FILES = {
    "/": (_page(), "text/html; charset=utf-8"),
    "/side-by-side.css": ((HERE / "side-by-side.css").read_bytes(), "text/css; charset=utf-8"),
}


def side_by_side(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
    """The page and its stylesheet; anything else outside the two mounts is a 404."""
    path = environ.get("PATH_INFO") or "/"
    body, content_type = FILES.get(path, (b"Not found\n", "text/plain; charset=utf-8"))
    status = "200 OK" if path in FILES else "404 Not Found"
    headers = [
        ("Content-Type", content_type),
        ("Content-Length", str(len(body))),
        *SECURITY_HEADERS.items(),
    ]
    start_response(status, headers)
    return [body] if environ["REQUEST_METHOD"] != "HEAD" else [b""]


def _django_app() -> Any:
    os.environ["DATABASE_URL"] = os.environ.get("DJANGO_DATABASE_URL") or os.environ.get(
        "DATABASE_URL", ""
    )
    if not os.environ["DATABASE_URL"]:
        del os.environ["DATABASE_URL"]
    from django_app.wsgi import application as django_application

    return django_application


def _flask_app() -> Any:
    from flask_app import create_app

    url = os.environ.get("FLASK_DATABASE_URL")
    return create_app({"DATABASE_URL": url} if url else None)


# Both apps share this process's one tracer provider (docs/spec.md#103-traces), so their spans
# carry one service name: this one, rather than the name of whichever app is built first.
os.environ.setdefault("OTEL_SERVICE_NAME", "side-by-side")
application = DispatcherMiddleware(side_by_side, {"/flask": _flask_app(), "/django": _django_app()})
