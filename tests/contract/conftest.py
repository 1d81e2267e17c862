"""The contract suite runs once per front end: every test takes `client`, one per app.

Each app gets a fresh database per test: Flask a copy of a migrated SQLite file, Django
pytest-django's test database (migrated once, rolled back after each test).

Predictions belong to someone (docs/spec.md#94-ownership): `account` signs the client up (it is
then logged in) and gives the account's API token, and `predict` makes predictions with it, so
that the client sees them on the pages and, with `account.headers`, through the API.
"""

from __future__ import annotations

import importlib.util
from typing import Any

import pytest

FRAMEWORKS = [
    pytest.param("flask", marks=pytest.mark.flask),
    pytest.param("django", marks=[pytest.mark.django, pytest.mark.django_db]),
]


def _require(name: str) -> None:
    if importlib.util.find_spec(name) is None:
        pytest.skip(f"{name} is not installed in this environment")


@pytest.fixture(params=FRAMEWORKS)
def framework(request: pytest.FixtureRequest) -> str:
    _require(request.param)
    return str(request.param)


@pytest.fixture(params=["", "mounted"])
def prefix_mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def client(framework: str, request: pytest.FixtureRequest) -> Any:
    return request.getfixturevalue(f"{framework}_client")


@pytest.fixture
def mounted_client(framework: str, request: pytest.FixtureRequest) -> Any:
    """The app mounted under `/flask` or `/django` (WSGI `SCRIPT_NAME`), as `nox -s serve` runs it."""
    return request.getfixturevalue(f"{framework}_mounted_client")


@pytest.fixture
def account(client: Any) -> Any:
    """The client signed up as `ann` (and so logged in), with an API token."""
    return client.signed_up("ann")


@pytest.fixture
def predict(client: Any, account: Any, valid_features: dict[str, float]):
    """Make one prediction of `account` through the API and return its JSON."""

    def make(**changes: float) -> dict[str, Any]:
        answer = client.post_json(
            "/api/v1/predict",
            {"features": {**valid_features, **changes}},
            headers=account.headers,
        )
        assert answer.status == 201, answer.body
        return answer.json()

    return make


@pytest.fixture
def configure(client: Any):
    """Change the settings of docs/spec.md#97-settings for this test, parsed as each app keeps
    them: `configure(API_TOKEN_REQUIRED=True)`, `configure(ANONYMOUS_RATE_LIMIT=parse_rate(
    "2/minute"))`, `configure(TRUSTED_PROXY_HOPS=1)`. Call it before making other clients."""
    return client.configure
