"""The four servers the benchmark compares, each started as a real process on 127.0.0.1.

The baseline, Flask and Django run under gunicorn with the same flags (sync workers, the app
preloaded before forking, no access log); FastAPI, an ASGI app, runs under uvicorn, its usual
server. Each gets its own SQLite database, migrated the way its users migrate it.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the repository


HEALTH_PATH = "/api/v1/health"


@dataclass(frozen=True)
class Contender:
    name: str
    title: str
    target: str
    table: str = "prediction"
    migrate: tuple[str, ...] = ()
    asgi: bool = False
    env: tuple[tuple[str, str], ...] = ()  # settings of this contender's own

    def command(self, port: int, workers: int) -> list[str]:
        if self.asgi:
            return [
                *(sys.executable, "-m", "uvicorn", "--factory", self.target),
                *("--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)),
                *("--no-access-log", "--log-level", "warning"),
            ]
        return [
            *(sys.executable, "-m", "gunicorn", self.target, "--preload", "--no-control-socket"),
            *("--bind", f"127.0.0.1:{port}", "--workers", str(workers)),
        ]


BASELINE = Contender("baseline", "bare WSGI", "benchmarks.baseline_wsgi:create_app()")
FLASK = Contender(
    "flask",
    "Flask",
    "flask_app:create_app()",
    migrate=(sys.executable, "-m", "flask", "--app", "flask_app", "db", "upgrade"),
)
DJANGO = Contender(
    "django",
    "Django",
    "django_app.wsgi:application",
    table="predictions_prediction",
    migrate=(sys.executable, "-m", "django", "migrate", "--settings=django_app.settings"),
)
FASTAPI = Contender("fastapi", "FastAPI", "benchmarks.fastapi_peer:create_app", asgi=True)
CONTENDERS = (BASELINE, FLASK, DJANGO, FASTAPI)
APPS = (FLASK, DJANGO)
# Each app with /metrics and OpenTelemetry's SDK turned off (docs/spec.md#105-settings): what
# operating the model costs per request is the app's figure against these.
UNOBSERVED = {
    app: replace(
        app,
        name=f"{app.name}_unobserved",
        title=f"{app.title}, no metrics or traces",
        env=(("METRICS_ENABLED", "false"), ("OTEL_SDK_DISABLED", "true")),
    )
    for app in APPS
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def environment(database: Path, contender: Contender | None = None) -> dict[str, str]:
    """The variables of a server on `database`: its metrics in a folder of its own, as each
    gunicorn instance's are in production (docs/spec.md#101-metrics), and the contender's own
    settings."""
    metrics = database.with_suffix(".metrics")
    metrics.mkdir(exist_ok=True)
    return {
        # Tracing as deployed (docs/spec.md#103-traces): spans recorded, not exported. The apps
        # run in development here (plain HTTP), which would also write every span to the
        # recent spans; OTEL_TRACES_EXPORTER=none keeps that off. The environment may say more.
        "OTEL_TRACES_EXPORTER": "none",
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "benchmark-only-secret"),
        "DJANGO_SETTINGS_MODULE": "django_app.settings",
        "PYTHONPATH": str(ROOT),
        "PROMETHEUS_MULTIPROC_DIR": str(metrics),
        **dict(contender.env if contender else ()),
    }


def migrate(contender: Contender, database: Path) -> None:
    if contender.migrate:
        subprocess.run(
            contender.migrate,
            env=environment(database),
            cwd=ROOT,
            check=True,
            capture_output=True,
        )


@dataclass
class Server:
    contender: Contender
    url: str
    process: subprocess.Popen[bytes]
    log: Path
    database: Path

    def worker_pids(self) -> list[int]:
        """gunicorn's (or uvicorn's) worker processes; a single-process server is its own worker."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        pids = [int(pid) for pid in children.read_text().split()]
        workers = [pid for pid in pids if _is_python(pid)]
        return workers or [self.process.pid]

    def peak_rss_mib(self) -> float:
        """The largest peak resident memory (VmHWM) among the workers, in MiB."""
        return max(_peak_rss_kib(pid) for pid in self.worker_pids()) / 1024

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def stored_rows(self) -> int:
        """Rows in the server's prediction table, counted by SQLite itself."""
        with closing(sqlite3.connect(self.database)) as connection:
            (count,) = connection.execute(f"SELECT count(*) FROM {self.contender.table}").fetchone()
        return int(count)


def _is_python(pid: int) -> bool:
    try:
        return "python" in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0].decode()
    except OSError:
        return False


def _peak_rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmHWM for process {pid}")


def wait_until_up(url: str, process: subprocess.Popen[bytes], timeout: float = 180) -> float:
    """Poll the health check until it answers 200; returns the seconds that took. The timeout is
    generous, for a busy machine: the wait ends at the first answer."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if process.poll() is not None:
            raise RuntimeError(f"the server at {url} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url + HEALTH_PATH, timeout=5) as response:
                if response.status == 200:
                    return time.perf_counter() - started
        except urllib.error.HTTPError as error:
            if error.code != 503:  # an answer, and a wrong one: waiting will not mend it
                raise RuntimeError(f"the server at {url} answered {error.code}") from None
            time.sleep(0.005)
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.005)
    raise RuntimeError(f"the server at {url} did not answer within {timeout} s")


def start(contender: Contender, database: Path, workers: int, log: Path) -> tuple[Server, float]:
    """Start the server; returns it and its cold start (process start to the first 200)."""
    port = free_port()
    started = time.perf_counter()
    process = subprocess.Popen(
        contender.command(port, workers),
        env=environment(database, contender),
        cwd=ROOT,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, process)
    except RuntimeError as error:
        stop(process)
        output = log.read_text(errors="replace")[-10_000:]  # the end, where the reason is
        raise RuntimeError(f"{error}; the end of its log:\n{output}") from None
    except BaseException:
        stop(process)
        raise
    return Server(contender, url, process, log, database), time.perf_counter() - started


def stop(process: subprocess.Popen[bytes], timeout: float = 30) -> int:
    """SIGTERM, the graceful stop both servers implement; SIGKILL only if that hangs."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode


@contextmanager
def serving(
    contender: Contender, database: Path, workers: int, log: Path
) -> Iterator[tuple[Server, float]]:
    server, cold_start = start(contender, database, workers, log)
    try:
        yield server, cold_start
    finally:
        stop(server.process)


def post(url: str, body: bytes, token: str | None = None) -> int:
    """POST a JSON body, with an API token if given; returns the status (used to fill the
    tables before a measurement)."""
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code
