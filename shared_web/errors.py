"""Every error answer's words: the JSON API's codes and messages, and the error pages' texts.

docs/spec.md, section 5, lists them; both apps raise `ApiError` from their API views and turn
statuses into these answers in their own error handlers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from shared_model.validation import ValidationError

from .payloads import error_payload

API_PREFIX = "/api/v1"

STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "too_many_requests",
    500: "internal_error",
    503: "service_unavailable",
}

MESSAGES = {
    "not_found": "There is nothing at this address; check the path and the id in it.",
    "method_not_allowed": "This address does not take that HTTP method; see the Allow header.",
    "payload_too_large": "The request body is over 1 MiB; send less data per request.",
    "unsupported_media_type": "Send the body as JSON with the header Content-Type: application/json.",
    "internal_error": "Something went wrong on the server; try again, and report it if it persists.",
    "service_unavailable": "The service cannot answer right now; try again in a moment.",
    "invalid_json": "The body must be a JSON object; check its syntax.",
    "bad_request": "The request cannot be answered; check its address and headers.",
    "unauthorized": (
        "Send a valid API token in the header Authorization: Bearer TOKEN; "
        "create one at /accounts/tokens."
    ),
    "too_many_requests": "Too many requests; wait the seconds in Retry-After, then try again.",
}

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
    429: (
        "Too many attempts",
        "Too many failed log-ins for this username; wait up to 15 minutes, then try again.",
    ),
    500: (
        "Server error",
        "Something went wrong on the server; try again, and report it if it persists.",
    ),
    503: (
        "Service unavailable",
        "The model or the database is not available right now; try again in a moment.",
    ),
}


@dataclass
class ApiError(Exception):
    """An error answer of the JSON API: HTTP status, error code, message, field messages."""

    status: int
    code: str
    message: str
    fields: Mapping[str, str] | None = None

    @classmethod
    def of(cls, status: int, code: str | None = None) -> ApiError:
        """The standard error for a status, e.g. `ApiError.of(404)`; any other status is a 400."""
        if code is None and status not in STATUS_CODES:
            status = 400
        code = code or STATUS_CODES[status]
        return cls(status, code, MESSAGES[code])

    @classmethod
    def from_validation(cls, error: ValidationError) -> ApiError:
        return cls(400, "validation_error", error.message, error.fields)

    def payload(self) -> dict[str, Any]:
        return error_payload(self.code, self.message, self.fields)


def is_api_path(path: str) -> bool:
    """True for every path under `/api/` (after the app's own mount prefix is removed)."""
    return path == "/api" or path.startswith("/api/")


def error_page(status: int) -> tuple[int, str, str]:
    """The status, title and sentence of the error page for a status (other statuses: 400)."""
    status = status if status in ERROR_PAGES else 400
    return (status, *ERROR_PAGES[status])
