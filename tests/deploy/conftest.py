"""The deployed stack (deploy/stack.py): nginx → gunicorn (two per app) → PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

pytest.importorskip("flask")
pytest.importorskip("django")

from deploy.stack import MISSING_HINT, Stack, missing_tools, running_stack

if missing_tools():
    pytest.skip(f"missing {', '.join(missing_tools())}: {MISSING_HINT}", allow_module_level=True)


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    """One stack for every test of the folder: starting one takes long."""
    with running_stack(instances=2) as running:
        yield running


@pytest.fixture(params=["flask", "django"])
def app(request: pytest.FixtureRequest) -> str:
    return str(request.param)
