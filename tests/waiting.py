"""Waiting for a server that a test started, the one way every test does it.

Generous, because a busy machine (CI on two cores, with other sessions running) may take minutes
to start gunicorn's workers; done at the first answer, so a quick machine waits no longer than it
must; and, when the server stops, answers with an error, or never answers, a failure that shows
the end of the server's own output.
"""

from __future__ import annotations

import http.client
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

STARTUP_SECONDS = 180.0
"""How long a server may take to answer its first request before the test fails."""

SHOWN_CHARACTERS = 10_000
"""How much of a server's output a failure shows: its end, where the reason is."""

_POLL_SECONDS = 0.2


class Refused(Exception):
    """The server answered, with an error that waiting longer will not mend."""


def tail(text: str) -> str:
    if len(text) <= SHOWN_CHARACTERS:
        return text
    return f"[... {len(text) - SHOWN_CHARACTERS} characters before]\n{text[-SHOWN_CHARACTERS:]}"


def output_of(log: Path) -> Callable[[], str]:
    """What the server wrote to its log file so far."""
    return lambda: log.read_text(errors="replace") if log.exists() else "(no log written)"


def wait_until(
    ready: Callable[[], bool],
    process: subprocess.Popen[bytes] | subprocess.Popen[str] | None,
    output: Callable[[], str],
    what: str,
    seconds: float = STARTUP_SECONDS,
) -> float:
    """Call `ready` until it returns true; returns the seconds that took. Fails the test, with
    the end of `output()`, if `ready` raises Refused, if `process` (the server, if any) stops
    first, or if `seconds` pass."""
    started = time.monotonic()
    while True:
        refused = None
        try:
            if ready():
                return time.monotonic() - started
        except Refused as answer:
            refused = answer
        if refused is not None:
            pytest.fail(f"{what}: {refused}; its output:\n{tail(output())}", pytrace=False)
        if process is not None and process.poll() is not None:
            pytest.fail(
                f"{what}: the process stopped (exit code {process.returncode}) before it was "
                f"ready; its output:\n{tail(output())}",
                pytrace=False,
            )
        if time.monotonic() - started > seconds:
            pytest.fail(
                f"{what}: not ready within {seconds:.0f} s; its output:\n{tail(output())}",
                pytrace=False,
            )
        time.sleep(_POLL_SECONDS)


def answers(
    url: str, headers: dict[str, str] | None = None, context: ssl.SSLContext | None = None
) -> Callable[[], bool]:
    """A `ready` check: true once a GET of `url` answers 200; false while nothing answers or it
    answers 503 (not ready yet); Refused for any other answer."""

    def check() -> bool:
        request = urllib.request.Request(url, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=10, context=context) as response:
                return bool(response.status == 200)
        except urllib.error.HTTPError as error:
            if error.code == 503:
                return False
            raise Refused(f"GET {url} answered {error.code}") from None
        except (OSError, http.client.HTTPException):
            return False

    return check
