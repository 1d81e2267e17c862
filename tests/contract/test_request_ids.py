"""docs/spec.md#102-request-ids: every answer carries `X-Request-ID`, the request's own when it is
sane, else its trace id."""

import re

import pytest

HEX32 = re.compile(r"[0-9a-f]{32}")

# One answer of each kind: (method, path, extra headers).
ANSWERS = {
    "page": ("GET", "/", {}),
    "API": ("GET", "/api/v1/health", {}),
    "static file": ("GET", "/static/style.css", {}),
    "404": ("GET", "/no/such/page", {}),
    "API 404": ("GET", "/api/v1/nothing", {}),
    "405": ("OPTIONS", "/static/style.css", {}),
    "host not allowed": ("GET", "/", {"Host": "evil.example"}),
}
SANE = ["abc", "req-1.A_b", "x" * 64]
INSANE = ["x" * 65, "two words", "a/b"]


def answer(client, kind, **headers):
    method, path, extra = ANSWERS[kind]
    return client.request(method, client.url(path), headers={**extra, **headers})


@pytest.mark.parametrize("kind", ANSWERS)
@pytest.mark.parametrize("sane", SANE)
def test_a_sane_request_id_is_sent_back(client, kind, sane):
    assert answer(client, kind, **{"X-Request-ID": sane}).header("X-Request-ID") == sane


@pytest.mark.parametrize("kind", ANSWERS)
@pytest.mark.parametrize("insane", INSANE)
def test_an_insane_request_id_is_replaced_by_32_hex_digits(client, kind, insane):
    request_id = answer(client, kind, **{"X-Request-ID": insane}).header("X-Request-ID")
    assert HEX32.fullmatch(request_id), request_id


@pytest.mark.parametrize("kind", ANSWERS)
def test_a_request_without_an_id_gets_32_hex_digits(client, kind):
    request_id = answer(client, kind).header("X-Request-ID")
    assert HEX32.fullmatch(request_id), request_id


def test_every_request_gets_an_id_of_its_own(client):
    assert answer(client, "API").header("X-Request-ID") != answer(client, "API").header(
        "X-Request-ID"
    )


def test_a_new_id_is_the_request_s_trace_id(client):
    trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
    traceparent = f"00-{trace_id}-00f067aa0ba902b7-01"
    assert answer(client, "API", traceparent=traceparent).header("X-Request-ID") == trace_id
