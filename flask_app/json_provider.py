"""Flask's JSON, written and read by orjson (`shared_web.jsoncodec`): the one JSON library of
both apps, so that `jsonify` and a view's returned dict give the same bytes as the Django app
(docs/spec.md#31-conventions)."""

from __future__ import annotations

from typing import Any

from flask.json.provider import JSONProvider

from shared_web import jsoncodec


class OrjsonProvider(JSONProvider):
    """Compact UTF-8 JSON, keys in insertion order, in debug mode too. Set as `app.json`.

    Flask's session cookie is serialized through `app.json` as well; orjson reads and writes it
    the same way.
    """

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        return jsoncodec.dumps_text(obj)

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return jsoncodec.loads(s)
