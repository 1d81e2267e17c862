"""The load benchmark behind `python3 dev.py -s bench` (benchmarks/README.md explains the method).

Four servers answer the same prediction API on 127.0.0.1, each with one worker process: a bare
WSGI baseline, the Flask app, the Django app and a FastAPI peer. wrk loads one server at a time,
rounds alternate between the servers, and the medians of the rounds are kept. Then the pages
(Flask and Django only), cold starts, the single-row profile, and two checks under stress: 64
clients on 4 workers, and a SIGTERM in the middle of the load.

    python -m benchmarks.load [--rounds 5] [--seconds 2] [--out docs]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from shared_model.artifact import load_model, save
from shared_model.datasets import load_builtin
from shared_model.training import train

from . import accounts, report, servers, wrk
from .servers import APPS, CONTENDERS, UNOBSERVED, Contender, Server

ROOT = Path(__file__).resolve().parent.parent  # the repository


@dataclass(frozen=True)
class Workload:
    name: str
    title: str
    load: wrk.Load
    rows: int = 1


def use_fresh_model(folder: Path) -> Path:
    """Train the iris model (seeded) into the run's folder, and have every server load it: the
    benchmark needs no model of the user's, and each run measures the same model."""
    path = folder / "model.joblib"
    save(train(load_builtin("iris")), path)
    os.environ["MODEL_PATH"] = str(path)  # servers.environment() hands it to every server
    return path


def write_bodies(folder: Path, model_path: Path) -> dict[int, Path]:
    """Request bodies of 1, 100 and 1,000 rows, cycling through the model's real examples."""
    examples = [e["features"] for e in load_model(model_path).manifest.examples]
    bodies = {}
    for rows in (1, 100, 1000):
        instances = [examples[i % len(examples)] for i in range(rows)]
        payload = {"features": instances[0]} if rows == 1 else {"instances": instances}
        bodies[rows] = folder / f"body-{rows}.json"
        bodies[rows].write_text(json.dumps(payload))
    return bodies


def api_workloads(bodies: dict[int, Path]) -> list[Workload]:
    return [
        Workload(
            "predict",
            "POST /api/v1/predict (1 row)",
            wrk.Load("POST", "/api/v1/predict", bodies[1]),
        ),
        Workload(
            "batch_100",
            "POST /api/v1/predict/batch (100 rows)",
            wrk.Load("POST", "/api/v1/predict/batch", bodies[100]),
            rows=100,
        ),
        Workload(
            "batch_1000",
            "POST /api/v1/predict/batch (1,000 rows)",
            wrk.Load("POST", "/api/v1/predict/batch", bodies[1000]),
            rows=1000,
        ),
    ]


PAGE = Workload("form_page", "GET / (the form page)", wrk.Load("GET", "/"))
HISTORY = wrk.Load("GET", "/history")


def measure_rounds(
    targets: Sequence[Server],
    workload: Workload,
    rounds: int,
    seconds: int,
    headers: Mapping[str, tuple[str, ...]] | None = None,
) -> dict[str, dict[str, Any]]:
    """Alternate the servers round by round (the order rotates), after one warm-up each; return
    each server's medians over the rounds and, where the baseline ran too, the median of its
    round-by-round ratios to the baseline (a slow moment of the machine hits both sides of a
    ratio taken within one round). `headers` adds request headers per server (by name)."""
    loads = {
        s.contender.name: replace(workload.load, headers=(headers or {}).get(s.contender.name, ()))
        for s in targets
    }
    for server in targets:
        wrk.run(server.url, loads[server.contender.name], 1, connections=1)
    results: dict[str, list[wrk.Result]] = {s.contender.name: [] for s in targets}
    for round_number in range(rounds):
        shift = round_number % len(targets)
        for server in [*targets[shift:], *targets[:shift]]:
            result = wrk.run(server.url, loads[server.contender.name], seconds, connections=1)
            if result.failed:
                raise RuntimeError(
                    f"{server.contender.title}, {workload.title}: {result.errors} "
                    f"(log: {server.log})"
                )
            results[server.contender.name].append(result)
    summary = {name: summarise(runs, workload.rows) for name, runs in results.items()}
    if "baseline" in results:
        for name, runs in results.items():
            pairs = zip(runs, results["baseline"], strict=True)
            paired = (run.per_second / base.per_second for run, base in pairs)
            summary[name]["relative"] = round(statistics.median(paired), 3)
    return summary


def summarise(runs: Sequence[wrk.Result], rows: int) -> dict[str, Any]:
    per_second = statistics.median(r.per_second for r in runs)
    return {
        "requests_per_s": round(per_second, 1),
        "rows_per_s": round(per_second * rows, 1),
        "p50_ms": round(statistics.median(r.latency_us["p50"] for r in runs) / 1000, 3),
        "p99_ms": round(statistics.median(r.latency_us["p99"] for r in runs) / 1000, 3),
        "rounds": [round(r.per_second, 1) for r in runs],
    }


def serve_fresh(
    stack: ExitStack, contenders: Sequence[Contender], folder: Path, phase: str
) -> list[Server]:
    """Start each server with one worker on a freshly migrated database of its own; the stack
    stops them."""
    running = []
    for contender in contenders:
        database = folder / f"{phase}-{contender.name}.sqlite3"
        servers.migrate(contender, database)
        log = folder / f"{phase}-{contender.name}.log"
        server, _ = stack.enter_context(servers.serving(contender, database, 1, log))
        running.append(server)
    return running


def fill(server: Server, rows: int, body_1000: Path, body_100: Path, token: str) -> None:
    """Store `rows` predictions (a multiple of 100) through the server's own batch API, as the
    account whose token it is."""
    thousands, hundreds = divmod(rows, 1000)
    for body, count in ((body_1000, thousands), (body_100, hundreds // 100)):
        for _ in range(count):
            url = server.url + "/api/v1/predict/batch"
            request = servers.post(url, body.read_bytes(), token)
            if request != 201:
                raise RuntimeError(f"filling {server.contender.title} got {request}")


def cold_starts(contender: Contender, database: Path, log: Path, times: int = 3) -> float:
    """Median seconds from starting the server process to its first 200, over fresh starts."""
    seconds = []
    for _ in range(times):
        server, cold = servers.start(contender, database, 1, log)
        servers.stop(server.process)
        seconds.append(cold)
    return round(statistics.median(seconds), 3)


def profile(contender: Contender, folder: Path, body: Path) -> dict[str, Any]:
    """The single-row profile, in a process of its own (benchmarks/profiles.py)."""
    database = folder / f"profile-{contender.name}.sqlite3"
    finished = subprocess.run(
        [sys.executable, "-m", "benchmarks.profiles", contender.name, str(database), str(body)],
        env=servers.environment(database),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(finished.stdout)
    return result


def operating_cost(
    folder: Path, workload: Workload, rounds: int, seconds: int
) -> dict[str, dict[str, Any]]:
    """Each app as it ships (metrics, spans recorded, no exporter) against itself with both off:
    the median of the rounds' ratios, where 1.0 means operating it costs nothing."""
    pairs = [(app, UNOBSERVED[app]) for app in APPS]
    with ExitStack() as stack:
        running = serve_fresh(stack, [c for pair in pairs for c in pair], folder, "operating")
        measured = measure_rounds(running, workload, rounds, seconds)
    for observed, unobserved in pairs:
        on, off = measured[observed.name], measured[unobserved.name]
        ratios = (a / b for a, b in zip(on["rounds"], off["rounds"], strict=True))
        on["relative_to_unobserved"] = round(statistics.median(ratios), 3)
    return measured


def under_stress(contender: Contender, folder: Path, body: Path, seconds: int) -> dict[str, Any]:
    """64 clients against 4 workers on the default SQLite database: every 201 must be a row."""
    database = folder / f"stress-{contender.name}.sqlite3"
    servers.migrate(contender, database)
    log = folder / f"stress-{contender.name}.log"
    load = wrk.Load("POST", "/api/v1/predict", body)
    with servers.serving(contender, database, 4, log) as (server, _):
        result = wrk.run(server.url, load, seconds, connections=64, threads=2, count_statuses=True)
        stored = server.stored_rows()
    return {
        "clients": 64,
        "workers": 4,
        "statuses": {str(k): v for k, v in sorted(result.statuses.items())},
        "errors": result.errors,
        "server_errors": sum(n for status, n in result.statuses.items() if status >= 500),
        "acknowledged": result.statuses.get(201, 0),
        "stored": stored,
        "database_locked": "database is locked" in log.read_text(errors="replace"),
    }


def sigterm_during_load(
    contender: Contender, folder: Path, body: Path, seconds: int
) -> dict[str, Any]:
    """SIGTERM to the server halfway through the load: no 201 may be missing from the table."""
    database = folder / f"sigterm-{contender.name}.sqlite3"
    servers.migrate(contender, database)
    log = folder / f"sigterm-{contender.name}.log"
    server, _ = servers.start(contender, database, 4, log)
    load = wrk.Load("POST", "/api/v1/predict", body)
    stopper = threading.Timer(seconds / 2, servers.stop, args=(server.process,))
    stopper.start()
    try:
        result = wrk.run(server.url, load, seconds, connections=64, threads=2, count_statuses=True)
    finally:
        stopper.join()
        servers.stop(server.process)
    return {
        "acknowledged": result.statuses.get(201, 0),
        "stored": server.stored_rows(),
        "exit_code": server.process.returncode,
    }


def run(rounds: int, seconds: int, folder: Path) -> dict[str, Any]:
    bodies = write_bodies(folder, use_fresh_model(folder))
    results: dict[str, Any] = {
        "settings": {
            "rounds": rounds,
            "seconds_per_round": seconds,
            "connections": 1,
            "workers": 1,
        },
        "machine": report.machine(),
        "workloads": {},
    }
    say = report.say

    say("Cold start: process start to the first 200, median of 3 fresh starts")
    cold = {}
    for contender in CONTENDERS:
        database = folder / f"cold-{contender.name}.sqlite3"
        servers.migrate(contender, database)
        cold[contender.name] = cold_starts(
            contender, database, folder / f"cold-{contender.name}.log"
        )
        say(f"  {contender.title:10} {cold[contender.name]:.2f} s")
    results["cold_start_s"] = cold

    def measure(
        targets: list[Server],
        workload: Workload,
        headers: Mapping[str, tuple[str, ...]] | None = None,
    ) -> None:
        names = ", ".join(server.contender.title for server in targets)
        say(f"{workload.title}: {rounds} rounds of {seconds} s each, {names}")
        measured = measure_rounds(targets, workload, rounds, seconds, headers)
        results["workloads"][workload.name] = {"title": workload.title, "servers": measured}
        report.print_workload(measured)

    with ExitStack() as stack:
        running = serve_fresh(stack, CONTENDERS, folder, "api")
        for workload in api_workloads(bodies):
            measure(running, workload)
        measure([s for s in running if s.contender in APPS], PAGE)
        results["peak_rss_mib"] = {s.contender.name: round(s.peak_rss_mib(), 1) for s in running}
        say("Peak resident memory per worker: " + report.inline(results["peak_rss_mib"], "MiB"))

    # One account's history: the rows are its own, and wrk reads them with its session cookie.
    databases = {contender: folder / f"history-{contender.name}.sqlite3" for contender in APPS}
    owners: dict[Contender, accounts.Account] = {}
    for contender, database in databases.items():
        servers.migrate(contender, database)
        with servers.serving(contender, database, 1, folder / "accounts.log") as (server, _):
            owners[contender] = accounts.sign_up(server.url)
    for stored in (100, 100_000):
        for contender, database in databases.items():
            log = folder / f"fill-{contender.name}.log"
            with servers.serving(contender, database, 1, log) as (filler, _):
                rows = stored - filler.stored_rows()
                fill(filler, rows, bodies[1000], bodies[100], owners[contender].token)
        with ExitStack() as stack:
            apps = [
                stack.enter_context(
                    servers.serving(
                        contender, database, 1, folder / f"history-{contender.name}.log"
                    )
                )[0]
                for contender, database in databases.items()
            ]
            title = f"GET /history with {stored:,} rows stored"
            cookies = {c.name: (f"Cookie: {owner.cookie}",) for c, owner in owners.items()}
            measure(apps, Workload(f"history_{stored}", title, HISTORY), cookies)

    single = api_workloads(bodies)[0]
    say(f"{single.title}, with metrics and traces and without: {rounds} rounds of {seconds} s")
    results["operating"] = operating_cost(folder, single, rounds, seconds)
    report.print_workload(results["operating"])

    say("Where a single-row prediction spends its time (cProfile, in process)")
    results["profile"] = {c.name: profile(c, folder, bodies[1]) for c in CONTENDERS}
    report.print_profiles(results["profile"])

    say("64 clients on 4 workers, SQLite, then SIGTERM during the load")
    results["stress"] = {c.name: under_stress(c, folder, bodies[1], 2 * seconds) for c in APPS}
    results["sigterm"] = {
        c.name: sigterm_during_load(c, folder, bodies[1], 3 * seconds) for c in APPS
    }
    results["goals"] = report.goals(results)
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="rounds per workload and server")
    parser.add_argument("--seconds", type=int, default=2, help="seconds of load per round")
    parser.add_argument(
        "--out",
        type=Path,
        default=ROOT / "docs",
        help="folder for benchmark.json and .svg; comparison.md is updated only for docs/",
    )
    parser.add_argument("--strict", action="store_true", help="exit with 1 if a goal is missed")
    args = parser.parse_args(argv)
    if wrk.wrk_binary() is None:
        print(f"bench: wrk is not installed: {wrk.INSTALL_HINT}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-") as folder:
        results = run(args.rounds, args.seconds, Path(folder))
    results["duration_s"] = round(time.perf_counter() - started, 1)
    # The repository's figures go with its docs/ only: a run written elsewhere (a quick check,
    # `--out /tmp/x`) leaves comparison.md as it is.
    docs = args.out.resolve() == (ROOT / "docs").resolve()
    report.write(results, args.out, ROOT / "comparison.md" if docs else None)
    report.print_goals(results["goals"])
    missed = [goal for goal in results["goals"] if not goal["met"]]
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
