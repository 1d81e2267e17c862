"""Both apps under a real WSGI server (gunicorn, several worker processes) on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from served_apps import Server, staff_token, start, wait_until_up


@pytest.fixture(
    params=[
        pytest.param("flask", marks=pytest.mark.flask),
        pytest.param("django", marks=pytest.mark.django),
    ]
)
def framework(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def served(framework: str, tmp_path: Path) -> Iterator[Server]:
    process, log, port = start(framework, tmp_path, workers=4)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(process, url, log)
        yield Server(url, process, log)
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture
def staff(served: Server, framework: str, tmp_path: Path) -> str:
    """The API token of a staff account of the served app: it sees every prediction."""
    return staff_token(framework, tmp_path, served.url)
