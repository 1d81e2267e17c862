"""Property-based API testing: schemathesis generates requests from docs/openapi.yaml, valid and
invalid, and sends them to each app under gunicorn. No answer may be a 5xx or break the spec, an
invalid request must be refused, and a refused request must store nothing. Every request carries
a staff account's API token (docs/spec.md#95-api-tokens), which may read and give feedback on
every prediction; the contract suite tests the answers without one."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from openapi_spec import SPEC_PATH
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from served_apps import Server, staff_token, start, wait_until_up

schema = schemathesis.openapi.from_path(SPEC_PATH)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


@pytest.fixture(
    scope="module",
    params=[
        pytest.param("flask", marks=pytest.mark.flask),
        pytest.param("django", marks=pytest.mark.django),
    ],
)
def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Server, str]]:
    tmp_path: Path = tmp_path_factory.mktemp(request.param)
    process, log, port = start(request.param, tmp_path, workers=2)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(process, url, log)
        with urllib.request.urlopen(urllib.request.Request(
            url + "/api/v1/predict", method="POST", headers={"Content-Type": "application/json"},
            data=json.dumps({"features": {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}}).encode(),
        )):  # fmt: skip
            pass  # prediction 1 exists, so GET and feedback on id 1 can succeed
        yield Server(url, process, log), staff_token(request.param, tmp_path, url)
    finally:
        process.terminate()
        process.wait(timeout=30)


def stored(server: Server, token: str) -> int:
    answer = server.request("GET", "/api/v1/predictions?limit=1", token=token)[1]
    return int(json.loads(answer)["count"])


@schema.parametrize()
def test_the_api_keeps_to_its_spec(case: schemathesis.Case, live: tuple[Server, str]) -> None:
    server, token = live
    before = stored(server, token)
    # On the case, not as call(headers=...): the negative-data check then judges the request that
    # was sent, with its token, rather than one whose Authorization header it had removed.
    case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}
    response = case.call(base_url=server.url)
    case.validate_response(response, checks=CHECKS)
    if response.status_code >= 400:
        assert stored(server, token) == before, (
            f"{case.method} {case.path} was refused but stored a row"
        )
