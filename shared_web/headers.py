"""Header values and host rules both apps apply (docs/spec.md, section 6).

Each app applies them with its own tools: Flask in `before_request` and `after_request` hooks
(`flask_app/security.py` says why not Flask's `TRUSTED_HOSTS`), Django through its security
settings, one middleware for the Content-Security-Policy and `ALLOWED_HOSTS`. The parity tests
check that the results match.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; frame-ancestors 'self'; form-action 'self'; base-uri 'self'; "
    "object-src 'none'"
)

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "SAMEORIGIN",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
}

# In production (APP_ENV=production), behind a proxy that terminates TLS: plain HTTP is redirected
# (301) to HTTPS, and HTTPS answers tell browsers to stay on HTTPS (Django's SECURE_HSTS_* names).
HSTS_SECONDS = 31536000
HSTS_HEADER = ("Strict-Transport-Security", f"max-age={HSTS_SECONDS}; includeSubDomains; preload")

DEFAULT_ALLOWED_HOSTS = "localhost,127.0.0.1,[::1]"


def parse_allowed_hosts(value: str | None) -> list[str]:
    """`ALLOWED_HOSTS` (comma-separated, Django's patterns) as a list; unset means the loopback
    names only."""
    value = DEFAULT_ALLOWED_HOSTS if value is None else value
    return [h.strip().lower() for h in value.split(",") if h.strip()]


_HOST = re.compile(r"(?P<name>[a-z0-9.-]+|\[[a-f0-9:.]+\])(?::(?P<port>[0-9]{1,5}))?")


def host_allowed(host: str, allowed: Sequence[str]) -> bool:
    """Whether a `Host` header names an allowed host: exact, `.example.org` for its subdomains,
    or `*` for any (Django's rules, so both apps accept and refuse the same hosts)."""
    match = _HOST.fullmatch(host.lower())
    if match is None:
        return False
    name = match["name"].rstrip(".")
    return any(
        pattern == "*"
        or name == pattern
        or (pattern.startswith(".") and (name.endswith(pattern) or name == pattern[1:]))
        for pattern in allowed
    )


LOOPBACK_HOSTS = parse_allowed_hosts(DEFAULT_ALLOWED_HOSTS)


def is_loopback_host(host: str) -> bool:
    """Whether a `Host` header names this machine's loopback interface, with any port: where
    Prometheus scrapes `/metrics` from, whatever `ALLOWED_HOSTS` says (docs/spec.md#101-metrics)."""
    return host_allowed(host, LOOPBACK_HOSTS)
