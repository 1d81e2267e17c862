"""The deployed stack (deploy/stack.py), once through each web server: nginx → gunicorn (two per
app) → PostgreSQL, and Apache httpd with mod_wsgi (a daemon group per app, as many processes as
those gunicorns' workers) → PostgreSQL.

Where a web server (or PostgreSQL) is missing its tests skip, saying what to install; under
`CI=true` they fail instead, so that CI cannot pass without running them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

pytest.importorskip("flask")
pytest.importorskip("django")

from deploy.stack import MISSING_HINT, Stack, missing_tools, running_stack
from deploy.system import WEB_SERVERS


@pytest.fixture(scope="session", params=WEB_SERVERS)
def stack(request: pytest.FixtureRequest) -> Iterator[Stack]:
    """One stack per web server for every test of the folder: starting one takes long. pytest
    runs all of one server's tests, stops it, then starts the next."""
    web_server = str(request.param)
    missing = missing_tools(web_server)
    if missing:
        reason = f"{web_server}: missing {', '.join(missing)}: {MISSING_HINT}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    with running_stack(instances=2, web_server=web_server) as running:
        yield running


@pytest.fixture(params=["flask", "django"])
def app(request: pytest.FixtureRequest) -> str:
    return str(request.param)
