import math

import pytest

from shared_web.jsoncodec import dumps, loads


def test_dumps_writes_compact_utf8():
    assert dumps({"é": 1, "b": [0.1, 1e-05]}) == '{"é":1,"b":[0.1,0.00001]}'.encode()


def test_dumps_keeps_the_order_of_keys():
    assert dumps({"z": 1, "a": 2}) == b'{"z":1,"a":2}'


def test_loads_reads_json():
    assert loads(b'{"a": [1, 2.5, null, true]}') == {"a": [1, 2.5, None, True]}


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_loads_reads_non_finite_tokens_as_floats_for_validation_to_name(token):
    value = loads(f'{{"x": {token}}}'.encode())["x"]
    assert isinstance(value, float)
    assert not math.isfinite(value)


@pytest.mark.parametrize("body", [b"{", b"\xff\xfe{}", b'{"a": 1} x', b""])
def test_loads_refuses_what_is_not_utf8_json(body):
    with pytest.raises(ValueError):
        loads(body)
