"""Hosts, security headers and HTTPS (docs/spec.md#6-headers-and-hosts), in one place.

Why a `before_request` hook and not Flask 3.1's `TRUSTED_HOSTS`: Flask hands that list to
Werkzeug's `host_is_trusted` (werkzeug/sansio/utils.py; Werkzeug 3.1.x, the installed
version), which cannot say what docs/spec.md#64-allowed-hosts says:

- it compares the host case-sensitively (`ref == hostname`), so `Host: LOCALHOST` is refused,
  while host names are case-insensitive and Django allows it;
- it cuts each trusted entry at its first colon to drop a port (`ref.partition(":")[0]`), so
  the entry `[::1]` becomes `[` and `[::1]:8000` is refused (fixed on Werkzeug's main branch by
  pallets/werkzeug commit 9ffdc2d, "use match to remove port", not yet released);
- it takes `*` literally, and an empty list as "allow every host" (`if not trusted_list:
  return True`), where `ALLOWED_HOSTS=` (set but empty) must allow none.

So the app checks `Host` with shared_web's `host_allowed`, the rules Django's `ALLOWED_HOSTS`
follows, before any other hook or view runs.
"""

from __future__ import annotations

from flask import Flask, Response, abort, current_app, redirect, request
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response as BaseResponse

from shared_web.headers import HSTS_HEADER, SECURITY_HEADERS, host_allowed, is_loopback_host

from .metrics import METRICS_PATH


def init_app(app: Flask) -> None:
    """Call right after `telemetry.init_app`, before any other extension adds a `before_request`
    hook: hooks run in the order they were added, and a host that is not allowed gets its 400
    before anything but the request's span and id."""
    app.before_request(only_allowed_hosts)
    app.after_request(security_headers)
    if hops := app.config["TRUSTED_PROXY_HOPS"]:
        # Behind nginx, which terminates TLS (docs/spec.md#62-production, #96-limits): trust
        # the X-Forwarded-Proto and -For that this many proxies add (the app server listens on
        # 127.0.0.1 only), so that `request.remote_addr` is the client's address.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    if app.config["APP_ENV"] == "production":
        # Send plain HTTP to HTTPS, as Django's SECURE_SSL_REDIRECT does.
        app.before_request(https_only)


def only_allowed_hosts() -> None:
    if host_allowed(request.host, current_app.config["ALLOWED_HOSTS"]):
        return
    if request.path == METRICS_PATH and is_loopback_host(request.host):
        return  # Prometheus, scraping the app server's loopback address
    abort(400)


def https_only() -> BaseResponse | None:
    """Redirect plain HTTP, but not `/metrics`, which Prometheus scrapes over plain HTTP on the
    loopback interface (docs/spec.md#101-metrics)."""
    if request.is_secure or request.path == METRICS_PATH:
        return None
    return redirect(request.url.replace("http://", "https://", 1), 301)


def security_headers(response: Response) -> Response:
    """The headers of docs/spec.md#61-security-headers on every answer; HSTS on HTTPS in
    production."""
    response.headers.update(SECURITY_HEADERS)
    if current_app.config["APP_ENV"] == "production" and request.is_secure:
        response.headers.setdefault(*HSTS_HEADER)
    return response
