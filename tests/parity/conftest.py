"""Both apps side by side: each parity test sends the same requests to each and compares."""

import pytest

pytest.importorskip("flask")
pytest.importorskip("django")


@pytest.fixture
def apps(flask_client, django_client, db):
    return flask_client, django_client
