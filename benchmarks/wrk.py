"""Load from wrk (Debian's `wrk` package): one request shape, N connections, D seconds."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

SCRIPT = Path(__file__).with_name("wrk_report.lua")
INSTALL_HINT = "install wrk: `sudo apt-get install wrk` (Debian, Ubuntu) or `brew install wrk`"


@dataclass(frozen=True)
class Load:
    """What wrk sends: a method and path, for a POST the JSON body in a file, and any headers
    (`Name: value`)."""

    method: str
    path: str
    body: Path | None = None
    headers: tuple[str, ...] = ()


@dataclass
class Result:
    requests: int
    seconds: float
    errors: dict[str, int]
    latency_us: dict[str, float]
    statuses: dict[int, int] = field(default_factory=dict)

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds

    @property
    def failed(self) -> int:
        """Requests that got no answer or a status of 400 or more (wrk counts both as errors)."""
        return sum(self.errors.values())


def wrk_binary() -> str | None:
    return shutil.which("wrk")


def run(
    url: str,
    load: Load,
    seconds: int,
    connections: int,
    threads: int = 1,
    count_statuses: bool = False,
) -> Result:
    binary = wrk_binary()
    if binary is None:
        raise RuntimeError(f"wrk is not installed: {INSTALL_HINT}")
    environ = {
        **os.environ,
        "WRK_METHOD": load.method,
        "WRK_BODY_FILE": str(load.body or ""),
        "WRK_COUNT_STATUSES": "1" if count_statuses else "0",
    }
    command = [
        binary,
        *("--threads", str(threads), "--connections", str(connections)),
        *("--duration", f"{seconds}s", "--timeout", "10s", "--script", str(SCRIPT)),
        *(arg for header in load.headers for arg in ("--header", header)),
        url + load.path,
    ]
    finished = subprocess.run(command, env=environ, capture_output=True, text=True, check=True)
    line = next((x for x in finished.stdout.splitlines() if x.startswith("WRK_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no results:\n{finished.stdout}\n{finished.stderr}")
    data = json.loads(line.removeprefix("WRK_JSON "))
    return Result(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        errors=data["errors"],
        latency_us=data["latency_us"],
        statuses={int(k): v for k, v in data["statuses"].items()},
    )
