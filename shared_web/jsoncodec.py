"""JSON in and out of both apps, through one library: orjson.

orjson writes a batch of 1,000 predictions several times faster than the standard library (the
benchmark's profile: benchmarks/README.md), and both apps plug it in where their framework offers
a hook: Flask's JSON provider, SQLAlchemy's `json_serializer`, Django's responses. One encoder
means both apps send the same bytes for the same answer: compact (no spaces), UTF-8, keys in
insertion order, floats in their shortest exact form. (JSON has no NaN or Infinity; orjson would
write `null` for them, and none reach it: validation refuses non-finite inputs, and probabilities
are finite.)
"""

from __future__ import annotations

import json
from typing import Any

import orjson

MEDIA_TYPE = "application/json"


def dumps(payload: Any) -> bytes:
    """JSON bytes; raises TypeError for anything JSON cannot hold."""
    return orjson.dumps(payload)


def dumps_text(payload: Any) -> str:
    """`dumps`, as text: what a database's JSON column takes."""
    return dumps(payload).decode("utf-8")


def loads(body: bytes | str) -> Any:
    """Parse UTF-8 JSON; raises ValueError (UnicodeDecodeError included) for anything else.

    orjson follows RFC 8259 and refuses the tokens `NaN`, `Infinity` and numbers too large for a
    float; Python's json module reads them as floats. The API names such a value as an invalid
    field (docs/spec.md, section 3) rather than calling the whole body malformed, so a body orjson
    refuses is read once more by the json module before it is declared not JSON.
    """
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return json.loads(body.decode("utf-8") if isinstance(body, bytes) else body)
