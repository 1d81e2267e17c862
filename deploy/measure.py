"""One figure per web server: single-row predictions through the whole stack, nginx + gunicorn
against Apache + mod_wsgi, the same four processes per app and the same PostgreSQL setup, for
docs/deploy.md#the-three-web-servers-of-the-lecture.

    python -m deploy.measure [--seconds 10] [--connections 4]

Each stack in turn (deploy/stack.py) takes wrk's (benchmarks/wrk.py) `POST /APP/api/v1/predict`
of one row, over HTTPS and kept-alive connections, first for a warm-up, then for the figure:
predictions answered a second, the median and 99th percentile latency, the failed ones.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from benchmarks import wrk
from benchmarks.load import write_bodies

from .stack import APPS, running_stack
from .system import WEB_SERVERS, missing_tools

WARM_UP_SECONDS = 3  # every process has loaded its model and opened its database connection


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m deploy.measure", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=4)
    args = parser.parse_args(argv)
    missing = {server: missing_tools(server) for server in WEB_SERVERS}
    if any(missing.values()) or wrk.wrk_binary() is None:
        print(f"Missing: {missing}, wrk: {wrk.INSTALL_HINT}", file=sys.stderr)
        return 2
    print(f"| web server | app | predictions/s | p50 ms | p99 ms | failed |\n|{' --- |' * 6}")
    with tempfile.TemporaryDirectory() as folder:
        for server in WEB_SERVERS:
            with running_stack(instances=2, web_server=server) as stack:
                one_row = wrk.Load(
                    "POST",
                    "/api/v1/predict",
                    write_bodies(Path(folder), stack.models / "current" / "model.joblib")[1],
                )
                for app in APPS:
                    url = f"{stack.url}/{app}"
                    wrk.run(url, one_row, WARM_UP_SECONDS, args.connections)
                    result = wrk.run(url, one_row, args.seconds, args.connections)
                    latency = result.latency_us
                    print(
                        f"| {server} | {app} | {result.per_second:.0f} | "
                        f"{latency['p50'] / 1000:.1f} | {latency['p99'] / 1000:.1f} | {result.failed} |",
                        flush=True,
                    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
