"""Request limits and the client address they count by (docs/spec.md#96-limits).

Both apps count in a table of their own database, through their ORM, so that every worker and
every server instance sees the same counts; this module holds the rules: the rates, the keys
and the client address behind trusted proxies.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

LOGIN_FAILURES_ALLOWED = 5
LOGIN_WINDOW = timedelta(minutes=15)
KEY_MAX_LENGTH = 255

_UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
_RATE = re.compile(r"\s*([0-9]{1,9})\s*/\s*(second|minute|hour|day)\s*")


class SettingError(ValueError):
    """A setting of docs/spec.md#97-settings that cannot be read; the message says what it
    should look like."""


@dataclass(frozen=True)
class Rate:
    """At most `limit` requests in each `window` (a fixed window from the first request)."""

    limit: int
    window: timedelta


def parse_rate(value: str | None, name: str = "ANONYMOUS_RATE_LIMIT") -> Rate | None:
    """`120/minute` (units: second, minute, hour, day); empty or unset is no limit."""
    if not value or not value.strip():
        return None
    match = _RATE.fullmatch(value)
    if match is None or int(match[1]) < 1:
        raise SettingError(
            f"{name} must look like 120/minute (a whole number of 1 or more, then /second, "
            f"/minute, /hour or /day), not {value!r}."
        )
    return Rate(int(match[1]), timedelta(seconds=_UNITS[match[2]]))


def parse_flag(value: str | None, name: str = "API_TOKEN_REQUIRED", default: bool = False) -> bool:
    """`true` or `false`, in any letter case; unset or empty is `default`."""
    flag = (value or "").strip().lower() or ("true" if default else "false")
    if flag not in ("true", "false"):
        raise SettingError(f"{name} must be true or false, not {value!r}.")
    return flag == "true"


def parse_hops(value: str | None, default: int) -> int:
    """`TRUSTED_PROXY_HOPS`: how many proxies in front append to `X-Forwarded-For`."""
    if value is None or not value.strip():
        return default
    if not value.strip().isdigit():
        raise SettingError(
            f"TRUSTED_PROXY_HOPS must be a whole number of 0 or more, not {value!r}."
        )
    return int(value)


def client_address(remote_addr: str | None, forwarded_for: str | None, hops: int) -> str:
    """The address of the client, as Werkzeug's `ProxyFix(x_for=hops)` finds it.

    With no proxy in front (`hops=0`) it is the connection's address, whatever the request says.
    With `hops` proxies, each appends the address it received the request from to
    `X-Forwarded-For`; the one the outermost trusted proxy saw is the `hops`-th from the right.
    Anything further left was written by the client and could be forged.
    """
    if hops > 0 and forwarded_for:
        values = [value.strip() for value in forwarded_for.split(",")]
        if len(values) >= hops and values[-hops]:
            return values[-hops]
    return remote_addr or ""


def login_key(username: str, address: str) -> str:
    """One counter per username (case-insensitive, as usernames are) and client address."""
    return f"login:{address}:{username.lower()}"[:KEY_MAX_LENGTH]


def predict_key(address: str) -> str:
    return f"predict:{address}"[:KEY_MAX_LENGTH]


def retry_after(window_start: datetime, window: timedelta, now: datetime) -> int:
    """Whole seconds until the window that began at `window_start` ends; at least 1."""
    return max(1, math.ceil((window_start + window - now).total_seconds()))
