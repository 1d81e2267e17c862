"""HTTP rules both apps apply the same way: security headers, allowed hosts, page texts.

They are framework-free on purpose: each app applies them with its own tools (a Flask
`after_request` hook, Django settings and middleware), and the parity tests check the results match.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from .payloads import StoredPrediction
from .schema import Feature, Manifest

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
HSTS_HEADER = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains; preload")

DEFAULT_ALLOWED_HOSTS = "localhost,127.0.0.1,[::1]"

_HOST = re.compile(r"(?P<name>[a-z0-9.-]+|\[[a-f0-9:.]+\])(?::(?P<port>[0-9]{1,5}))?")


def parse_allowed_hosts(value: str | None) -> list[str]:
    """`ALLOWED_HOSTS` (comma-separated) as a list; unset means the loopback names only."""
    value = DEFAULT_ALLOWED_HOSTS if value is None else value
    return [h.strip().lower() for h in value.split(",") if h.strip()]


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


# The error pages outside /api/: a title and one sentence a person can act on.
ERROR_PAGES = {
    400: ("Bad request", "The request could not be understood; go back to the form and try again."),
    403: (
        "Form expired",
        "The form's security token was missing or stale; reload the page and send it again.",
    ),
    404: ("Page not found", "There is no page at this address; use the links above."),
    405: (
        "Method not allowed",
        "This address does not take that kind of request; use the links above.",
    ),
    413: ("File too large", "The upload is over 1 MiB; split it into smaller files."),
    500: (
        "Server error",
        "Something went wrong on the server; try again, and report it if it persists.",
    ),
    503: (
        "Service unavailable",
        "The model or the database is not available right now; try again in a moment.",
    ),
}


def display_time(moment: datetime) -> str:
    """A stored time as pages show it: `2026-11-24 14:15:15 UTC`."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def number(value: float | None) -> str:
    """A stored number as pages show it: Python's shortest exact form (`5.1`, `1e-05`)."""
    return "–" if value is None else repr(float(value))


def share(value: float) -> str:
    """A probability as a `<meter value>`: four decimals are more than a bar can show."""
    return f"{value:.4f}"


def percent(share: float | None) -> str:
    """A share as pages show it: `98.1%`."""
    return "–" if share is None else f"{share * 100:.1f}%"


@dataclass(frozen=True)
class PredictionView:
    """A stored prediction laid out for a page: inputs and probabilities in the model's order.

    Templates of both apps loop over these pairs the same way (`{% for a, b in pairs %}` is
    valid Jinja and Django template syntax alike), whatever order the database kept.
    """

    row: StoredPrediction
    inputs: list[tuple[Feature, float | None]]
    probabilities: list[tuple[str, float]]


def prediction_view(row: StoredPrediction, manifest: Manifest) -> PredictionView:
    inputs = [(f, row.features.get(f.name)) for f in manifest.features]
    probabilities = [(c, row.probabilities[c]) for c in manifest.classes if c in row.probabilities]
    return PredictionView(row, inputs, probabilities)
