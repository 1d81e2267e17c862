"""Both apps under a real WSGI server (gunicorn, several worker processes) on 127.0.0.1.

`served` is one gunicorn with 4 workers per app for the whole module, started with
deploy/gunicorn.conf.py as deployed: starting one takes 10 to 30 s on two cores, so its tests
share it, each counting only what it adds.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from served_apps import Server, serving, staff_token


@pytest.fixture(
    scope="module",
    params=[
        pytest.param("flask", marks=pytest.mark.flask),
        pytest.param("django", marks=pytest.mark.django),
    ],
)
def framework(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def served(framework: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with serving(framework, tmp_path_factory.mktemp(framework), workers=4) as server:
        yield server


@pytest.fixture(scope="module")
def staff(served: Server, framework: str) -> str:
    """The API token of a staff account of the served app: it sees every prediction."""
    return staff_token(framework, served.log.parent, served.url)
