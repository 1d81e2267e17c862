"""A real browser (Debian's Chromium, driven by Playwright) against both apps served side by side.

The site is started the way a user starts it, `python -m side_by_side.serve`, on a free port with
its model and databases in a temporary folder. Every page a test opens is watched for console
errors and uncaught exceptions; any of them fails the test (but the error status of a page a test
opens on purpose).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytest.importorskip("playwright", reason="install the browser extra: pip install -e '.[browser]'")
if not Path(CHROMIUM).exists():
    pytest.skip(
        f"no Chromium at {CHROMIUM}: install it (Debian/Ubuntu: `sudo apt-get install chromium`) "
        "or point CHROMIUM_PATH at one",
        allow_module_level=True,
    )

from browser_helpers import free_port  # noqa: E402
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright  # noqa: E402
from waiting import output_of, wait_until  # noqa: E402


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Both apps behind one address, started by the README's serve command."""
    port = free_port()
    data = tmp_path_factory.mktemp("site")
    log = data / "serve.log"
    command = [
        sys.executable,
        "-m",
        "side_by_side.serve",
        "--port",
        str(port),
        "--data-dir",
        str(data),
    ]
    process = subprocess.Popen(
        command, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        ready = lambda: b"Press Ctrl-C to stop." in log.read_bytes()  # noqa: E731
        wait_until(ready, process, output_of(log), "serve")
    except BaseException:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # serve and its gunicorn
        raise
    with urllib.request.urlopen(base + "/"):
        pass
    yield base
    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
    assert process.wait(timeout=30) == 0, log.read_text()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        # An error page (400, 404) is logged as a failed load of the document itself; the tests
        # check those statuses. Anything else, a stylesheet or an icon that fails, is a problem.
        document_itself = message.location.get("url") == page.url
        if message.type == "error" and not (
            document_itself and "Failed to load resource" in message.text
        ):
            problems.append(f"console error on {page.url}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"uncaught {error} on {page.url}"))
    yield page
    context.close()
    assert problems == []


@pytest.fixture(params=["flask", "django"])
def framework(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def app(framework: str, site: str) -> str:
    """The base URL of one app, as mounted behind the side-by-side address."""
    return f"{site}/{framework}"
