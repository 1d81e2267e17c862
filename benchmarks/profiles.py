"""Where one single-row prediction spends its time, in each server's app, measured by cProfile.

Each app is called in this process the way its server calls it (a WSGI environ, or an ASGI scope
and two channels), so the profile holds the app and nothing of the network. Time is summed by
the step it belongs to: validating and predicting, storing the row (the ORM and SQLite), turning
JSON into Python and back, and what is left, which is the framework and the server interface.
cProfile slows Python code more than C code, so the shares are a map, not a stopwatch; the
request time printed beside them is measured without the profiler.
"""

from __future__ import annotations

import asyncio
import cProfile
import io
import json
import os
import pstats
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from .servers import Contender, environment, migrate

REQUESTS = 2000
WARM_UP = 200
# Each step is the inclusive time of the functions that do it, in whichever app; "framework" is
# everything else: routing, request and response objects, middleware, sessions, the ORM's
# bookkeeping outside the insert, and the server interface.
STEPS = {
    "validate + predict": (
        ("shared_model/predictor.py", "predict_one"),
        ("shared_model/predictor.py", "predict_batch"),
    ),
    "store the row": (
        ("flask_app/store.py", "add"),
        ("flask_app/store.py", "add_all"),
        ("predictions/models.py", "create_prediction"),
        ("predictions/models.py", "create_predictions"),
        ("benchmarks/baseline_wsgi.py", "store"),
        ("django/db/__init__.py", "close_old_connections"),
    ),
    "JSON in and out": (
        ("shared_web/api_input.py", "parse_json_object"),
        ("shared_web/payloads.py", "prediction_payload"),
        ("shared_web/jsoncodec.py", "dumps"),
    ),
}
# A function of a step counts only where no function of the same step called it (its time is
# in the caller's already), nor one of these: SQLAlchemy writes JSON columns through
# jsoncodec.dumps_text, and that is storing, not answering.
NOT_FROM = {("shared_web/jsoncodec.py", "dumps_text")}


def matches(filename: str, function: str, functions: Iterable[tuple[str, str]]) -> bool:
    where = filename.replace(os.sep, "/")
    return any(where.endswith(f) and function == name for f, name in functions)


def step_of(filename: str, function: str) -> str | None:
    for step, functions in STEPS.items():
        if matches(filename, function, functions):
            return step
    return None


def wsgi_call(app: Callable[..., Any], body: bytes) -> int:
    """One POST /api/v1/predict through a WSGI app; returns the status code."""
    environ = {
        "REQUEST_METHOD": "POST",
        "SCRIPT_NAME": "",
        "PATH_INFO": "/api/v1/predict",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    status: list[str] = []
    result = app(environ, lambda line, headers, exc_info=None: status.append(line))
    try:
        b"".join(result)
    finally:
        getattr(result, "close", lambda: None)()
    return int(status[0].split()[0])


def asgi_caller(app: Any) -> Callable[[Any, bytes], int]:
    """One POST /api/v1/predict through an ASGI app, on one event loop kept for every call."""
    loop = asyncio.new_event_loop()

    async def call(body: bytes) -> int:
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": "/api/v1/predict",
            "raw_path": b"/api/v1/predict",
            "root_path": "",
            "query_string": b"",
            "headers": [
                (b"host", b"127.0.0.1:8000"),
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 8000),
        }
        messages = [{"type": "http.request", "body": body, "more_body": False}]
        status: list[int] = []

        async def receive() -> dict[str, Any]:
            return messages.pop() if messages else {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])

        await app(scope, receive, send)
        return status[0]

    return lambda _app, body: loop.run_until_complete(call(body))


def load_app(contender: Contender) -> Any:
    """The app object its server would load (the same import path)."""
    module_name, _, attribute = contender.target.partition(":")
    module = __import__(module_name, fromlist=["_"])
    factory = attribute.removesuffix("()")
    target = getattr(module, factory)
    return target() if attribute.endswith("()") or contender.asgi else target


def profile(contender: Contender, database: Path, body: bytes) -> dict[str, Any]:
    """The per-request time of single-row predictions and its split by package, in µs."""
    migrate(contender, database)
    os.environ.update(environment(database))
    app = load_app(contender)
    call: Callable[[Any, bytes], int] = asgi_caller(app) if contender.asgi else wsgi_call
    for _ in range(WARM_UP):
        assert call(app, body) == 201
    started = time.perf_counter()
    for _ in range(REQUESTS):
        call(app, body)
    unprofiled_us = (time.perf_counter() - started) / REQUESTS * 1e6
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(REQUESTS):
        call(app, body)
    profiler.disable()
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    whole = sum(own for _, _, own, _, _ in stats.values())
    steps = dict.fromkeys(STEPS, 0.0)
    for (filename, _, function), (_, _, _, inclusive, callers) in stats.items():
        step = step_of(filename, function)
        if step is None:
            continue
        for (caller_file, _, caller), (_, _, _, from_caller) in callers.items():
            if step_of(caller_file, caller) == step or matches(caller_file, caller, NOT_FROM):
                inclusive -= from_caller
        steps[step] += inclusive
    shares = {step: t / whole for step, t in steps.items()}
    shares["framework and server interface"] = max(0.0, 1 - sum(shares.values()))
    return {
        "request_us": round(unprofiled_us, 1),
        "share": {step: round(share, 3) for step, share in shares.items()},
    }


def main() -> None:
    """`python -m benchmarks.profiles NAME DATABASE BODY_JSON`: one app, printed as JSON.

    Each app is profiled in a process of its own, so that one framework's imports and settings
    never touch another's.
    """
    from .servers import CONTENDERS

    name, database, body = sys.argv[1:4]
    contender = next(c for c in CONTENDERS if c.name == name)
    print(json.dumps(profile(contender, Path(database), Path(body).read_bytes())))


if __name__ == "__main__":
    main()
