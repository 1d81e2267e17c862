"""Starting an app under gunicorn (several worker processes) on 127.0.0.1, for the served tests."""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from http_client import PASSWORD, Browserish
from waiting import answers, output_of, wait_until

STAFF_COMMANDS = {
    # Each framework's own command; the password comes on standard input (Flask) or from the
    # variable Django's `createsuperuser --noinput` reads.
    "flask": [sys.executable, "-m", "flask", "--app", "flask_app", "create-staff"],
    "django": [
        sys.executable, "-m", "django", "createsuperuser", "--noinput", "--email=",
        "--settings=django_app.settings", "--username",
    ],
}  # fmt: skip

# The deployment's own settings and hooks (the metrics of all workers: docs/spec.md#101-metrics);
# the tests choose the address and the number of workers.
GUNICORN_CONFIG = Path(__file__).parents[2] / "deploy" / "gunicorn.conf.py"

APPS = {
    "flask": (
        "flask_app:create_app()",
        [sys.executable, "-m", "flask", "--app", "flask_app", "db", "upgrade"],
    ),
    "django": (
        "django_app.wsgi:application",
        [sys.executable, "-m", "django", "migrate", "--settings=django_app.settings"],
    ),
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def request(
        self,
        method: str,
        path: str,
        payload: object = None,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, bytes]:
        status, _, body = self.answer(method, path, payload, token, headers)
        return status, body

    def answer(
        self,
        method: str,
        path: str,
        payload: object = None,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Message, bytes]:
        """`request`, with the answer's headers."""
        data = None if payload is None else json.dumps(payload).encode()
        request = urllib.request.Request(
            self.url + path, data=data, method=method, headers=headers or {}
        )
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if token is not None:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()


def start(
    framework: str,
    tmp_path: Path,
    workers: int = 2,
    migrate: bool = True,
    **env: str,
) -> tuple[subprocess.Popen[bytes], Path, int]:
    """Migrate a fresh SQLite database, then start gunicorn with deploy/gunicorn.conf.py; returns
    the process, its log, its port."""
    if importlib.util.find_spec(framework) is None:
        pytest.skip(f"{framework} is not installed in this environment")
    target, migrate_command = APPS[framework]
    environ = environment(framework, tmp_path, **env)
    if migrate:
        subprocess.run(migrate_command, env=environ, check=True, capture_output=True)
    port = free_port()
    log = tmp_path / f"{framework}-gunicorn.log"
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        str(GUNICORN_CONFIG),
        "--workers",
        str(workers),
        "--no-control-socket",
        "--bind",
        f"127.0.0.1:{port}",
        target,
    ]
    process = subprocess.Popen(
        command, env=environ, stdout=log.open("wb"), stderr=subprocess.STDOUT
    )
    return process, log, port


def environment(framework: str, tmp_path: Path, **env: str) -> dict[str, str]:
    """The variables a served app runs with: its own SQLite file and recent spans in
    `tmp_path`."""
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path}/{framework}.sqlite3",
        "RECENT_SPANS_PATH": str(tmp_path / "recent-spans.sqlite3"),
        **env,
    }


def create_staff(framework: str, tmp_path: Path, username: str, password: str) -> None:
    """A staff account in the served app's database, made with the framework's own command
    (docs/spec.md#94-ownership)."""
    environ = {**environment(framework, tmp_path), "DJANGO_SUPERUSER_PASSWORD": password}
    subprocess.run(
        [*STAFF_COMMANDS[framework], username],
        env=environ,
        input=f"{password}\n{password}\n".encode(),
        check=True,
        capture_output=True,
    )


def staff_token(framework: str, tmp_path: Path, url: str) -> str:
    """An API token of a new staff account, which sees every prediction (unowned ones too)."""
    create_staff(framework, tmp_path, "staff", PASSWORD)
    browser = Browserish()
    assert browser.log_in(url, "staff").status == 303
    return browser.new_token(url, "served tests")


@contextlib.contextmanager
def serving(framework: str, tmp_path: Path, **options: Any) -> Iterator[Server]:
    """gunicorn as `start` starts it (`options` are its), once it answers; stopped at the end."""
    process, log, port = start(framework, tmp_path, **options)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(process, url, log)
        yield Server(url, process, log)
    finally:
        process.terminate()
        process.wait(timeout=30)


def wait_until_up(
    process: subprocess.Popen[bytes], url: str, log: Path, headers: dict[str, str] | None = None
) -> None:
    """Poll the health check until the server answers 200 (see tests/waiting.py: up to
    STARTUP_SECONDS; a failure shows gunicorn's log)."""
    health = answers(url + "/api/v1/health", headers)
    wait_until(health, process, output_of(log), f"gunicorn at {url}")
