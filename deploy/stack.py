"""The whole stack on this machine, as the lecture draws it: a web server in front (TLS, static
files), the application servers of both apps behind it, PostgreSQL behind them. The web server is
either nginx, with gunicorns beside it (two instances of each app, two workers each), or Apache
httpd, with the apps inside it (mod_wsgi's daemon processes, one group of four per app:
deploy/httpd.py).

    python -m deploy.stack [--web-server apache]   # start it, print the address, stop on Ctrl-C
    python3 dev.py -s deploy          # start each, run the smoke tests through it, stop it

Everything listens on 127.0.0.1, lives in a temporary folder, and is stopped and removed at the
end. It needs Debian's postgresql and openssl packages, and nginx, or apache2 and
libapache2-mod-wsgi-py3.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import shlex
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from shared_model.artifact import DEFAULT_MODEL_PATH, save
from shared_model.datasets import load_builtin
from shared_model.training import train
from shared_web import STATIC_FOLDER
from shared_web.errors import ERROR_PAGES, ApiError
from shared_web.headers import HSTS_HEADER, SECURITY_HEADERS
from shared_web.jsoncodec import dumps

from . import httpd, rollout
from .postgres import Cluster, _free_port, throwaway_cluster
from .system import MISSING_HINT, WEB_SERVERS, missing_tools

HERE = Path(__file__).parent
STARTUP_SECONDS = 180  # generous for a busy machine; each wait ends at the first answer
APPS = {"flask": "flask_app:create_app()", "django": "django_app.wsgi:application"}
# deploy/gunicorn.conf.py's workers per instance; Apache gets as many daemon processes in all.
GUNICORN_WORKERS = int(os.environ.get("GUNICORN_WORKERS", "2"))
# What nginx tells each gunicorn about a request; the apps in production redirect plain HTTP.
THROUGH_HTTPS = {"X-Forwarded-Proto": "https"}


@dataclass
class Stack:
    url: str  # https://localhost:PORT
    http_url: str  # http://localhost:PORT, which redirects
    database: Cluster
    run: Path
    models: Path  # every app process serves `current` there (deploy/rollout.py)
    web_server: str = "nginx"  # or "apache"
    # Each app's gunicorn masters, behind nginx; {"apache": [its parent process]} under Apache.
    instances: dict[str, list[subprocess.Popen[bytes]]] = field(default_factory=dict)
    # Where Prometheus scrapes each app: each gunicorn's port, as instances; Apache's one
    # loopback virtual host for both apps' daemon groups.
    ports: dict[str, list[int]] = field(default_factory=dict)

    def log(self, name: str) -> str:
        return (self.run / f"{name}.log").read_text(errors="replace")

    def app_logs(self, app: str) -> list[str]:
        """The logs an app writes to (its requests, its warnings): each gunicorn's own, or
        Apache's error log, where mod_wsgi sends the daemon processes' output."""
        if self.web_server == "apache":
            return ["error"]
        return [f"{app}-{number}" for number in range(1, len(self.instances[app]) + 1)]

    def pids(self) -> list[int]:
        """The process ids of the gunicorn masters, every instance of both apps (Apache's parent
        process under Apache)."""
        return [process.pid for group in self.instances.values() for process in group]

    def roll_out(self, artifact: Path) -> str:
        """Roll a new model out to both apps; returns the version they all serve. Behind nginx,
        deploy/rollout.py's steps, with the reload one gunicorn instance at a time: an instance
        answers nothing while its new workers load the model (requests wait in its listen
        queue), and two cores load two workers in seconds where all eight at once could come
        near nginx's 30 s. Each instance is watched at its own loopback port (nginx would mix
        them), as having come over HTTPS (the apps run in production)."""
        version = rollout.install(artifact, self.models)
        if self.web_server == "apache":
            return self._roll_out_through_apache(version)
        for app, processes in self.instances.items():
            for process, port in zip(processes, self.ports[app], strict=True):
                rollout.reload([process.pid])
                rollout.wait_for_version([_health_url(app, port)], version, headers=THROUGH_HTTPS)
        return version

    def _roll_out_through_apache(self, version: str) -> str:
        """Touch each app's WSGI script: mod_wsgi restarts that daemon group at its next request,
        which waits, and the new processes load the new model. (`apachectl graceful` would
        restart every group at once and answer 503 meanwhile, mod_wsgi issue #124.)"""
        for app in APPS:
            httpd.script(self.run, app).touch()
            health = f"{self.url}/{app}/api/v1/health"
            rollout.wait_for_version([health], version, context=tls_context())
        return version


def tls_context() -> ssl.SSLContext:
    """Trust the stack's own throw-away certificate (and nothing is sent anywhere else)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def _render_nginx(run: Path, http_port: int, https_port: int, ports: dict[str, list[int]]) -> Path:
    headers = "\n".join(
        f'            add_header {k} "{v}" always;'
        for k, v in [*SECURITY_HEADERS.items(), HSTS_HEADER]
    )
    values = {
        "RUN": str(run),
        "HTTP_PORT": str(http_port),
        "HTTPS_PORT": str(https_port),
        "FLASK_SERVERS": "\n".join(f"        server 127.0.0.1:{p};" for p in ports["flask"]),
        "DJANGO_SERVERS": "\n".join(f"        server 127.0.0.1:{p};" for p in ports["django"]),
        "SECURITY_HEADERS": headers,
        "API_TOO_LARGE": dumps(ApiError.of(413).payload()).decode(),
    }
    text = (HERE / "nginx.conf").read_text()
    for name, value in values.items():
        text = text.replace(f"@{name}@", value)
    path = run / "nginx.conf"
    path.write_text(text)
    return path


def _web_root(run: Path) -> None:
    """The files nginx serves itself: an index of the two apps, the 413 page, the static files."""
    www = run / "www"
    www.mkdir()
    (www / "index.html").write_text(
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Both apps</title></head>'
        '<body><h1>One model, two frameworks</h1><ul><li><a href="/flask/">Flask</a></li>'
        '<li><a href="/django/">Django</a></li></ul></body></html>\n'
    )
    title, message = ERROR_PAGES[413]
    (www / "too-large.html").write_text(
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>'
        f'<body><h1 data-testid="error-title">{title}</h1><p>{message}</p></body></html>\n'
    )
    shutil.copytree(STATIC_FOLDER, run / "static" / "flask")


def _tls_certificate(run: Path) -> None:
    tls = run / "tls"
    tls.mkdir()
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", str(tls / "key.pem"), "-out", str(tls / "cert.pem")],
        check=True, capture_output=True,
    )  # fmt: skip


def _wait(
    url: str, process: subprocess.Popen[bytes], log: Path, headers: dict[str, str] | None = None
) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    output = lambda: log.read_text(errors="replace")[-10_000:]  # noqa: E731 - the end: the reason
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{url} stopped while starting:\n{output()}")
        try:
            request = urllib.request.Request(url, headers=headers or {})
            with urllib.request.urlopen(request, timeout=2, context=tls_context()):
                return
        except urllib.error.HTTPError as error:
            if error.code != 503:  # an answer, and a wrong one: waiting will not mend it
                raise RuntimeError(
                    f"{url} answered {error.code} while starting:\n{output()}"
                ) from None
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer within {STARTUP_SECONDS} s:\n{output()}")
        time.sleep(0.2)


def _health_url(app: str, port: int) -> str:
    return f"http://127.0.0.1:{port}/{app}/api/v1/health"


def _model_path(run: Path) -> Path:
    if DEFAULT_MODEL_PATH.exists():
        return DEFAULT_MODEL_PATH
    path = run / "model.joblib"
    save(train(load_builtin("iris")), path)
    return path


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def running_stack(
    instances: int = 2, https_port: int = 0, http_port: int = 0, web_server: str = "nginx"
) -> Iterator[Stack]:
    """Start PostgreSQL, then `instances` gunicorns per app and nginx, or Apache with as many
    daemon processes per app as those gunicorns have workers; stop and remove them at the end.
    The web server listens on the ports given, or on free ones."""
    run = Path(tempfile.mkdtemp(prefix="stack-"))
    run.chmod(0o755)  # the web server's workers run as an unprivileged user and read files here
    processes: list[subprocess.Popen[bytes]] = []
    try:
        models = run / "models"
        rollout.install(_model_path(run), models)
        with throwaway_cluster() as database:
            env = {
                **os.environ,
                "APP_ENV": "production",
                "SECRET_KEY": secrets.token_urlsafe(50),
                "DATABASE_URL": database.url,
                "ALLOWED_HOSTS": "localhost,127.0.0.1",
                # The first release of a models folder, so that a roll-out can switch it.
                "MODEL_PATH": str(rollout.served_path(models)),
                "STATIC_ROOT": str(run / "static" / "django"),
            }
            python = [sys.executable, "-m"]
            for command in (["flask", "--app", "flask_app", "db", "upgrade"], ["django", "migrate", "--settings=django_app.settings"],
                            ["django", "collectstatic", "--noinput", "--settings=django_app.settings"]):  # fmt: skip
                subprocess.run([*python, *command], env=env, check=True, capture_output=True)
            _web_root(run)
            _tls_certificate(run)
            stack = Stack("", "", database, run, models, web_server=web_server)
            http_port, https_port = http_port or _free_port(), https_port or _free_port()
            start = _start_apache if web_server == "apache" else _start_nginx
            server, log = start(Launch(stack, env, instances, http_port, https_port, processes))
            stack.url, stack.http_url = (
                f"https://localhost:{https_port}",
                f"http://localhost:{http_port}",
            )
            _wait(f"{stack.url}/flask/api/v1/health", server, log)
            _wait(f"{stack.url}/django/api/v1/health", server, log)
            yield stack
    finally:
        for process in reversed(processes):
            _stop(process)
        shutil.rmtree(run, ignore_errors=True)


# What the apps are told through the environment; everything else of this process is left out.
APP_SETTINGS = (
    "APP_ENV",
    "SECRET_KEY",
    "DATABASE_URL",
    "ALLOWED_HOSTS",
    "MODEL_PATH",
    "STATIC_ROOT",
)
Started = tuple[subprocess.Popen[bytes], Path]  # the web server's process and its log


@dataclass
class Launch:
    """What starting either web server (with its apps) needs from `running_stack`."""

    stack: Stack
    env: dict[str, str]  # the apps' settings, on top of this process's environment
    instances: int
    http_port: int
    https_port: int
    processes: list[subprocess.Popen[bytes]]  # each one started goes here, to be stopped at the end


def _start_nginx(launch: Launch) -> Started:
    """`instances` gunicorns per app, each waited for, then nginx in front of them."""
    stack, run = launch.stack, launch.stack.run
    # nginx, the one proxy in front, appends the client's address to X-Forwarded-For (the
    # production default, said here for the reader: docs/spec.md#96-limits).
    env = {**launch.env, "TRUSTED_PROXY_HOPS": "1"}
    stack.ports = ports = {app: [_free_port() for _ in range(launch.instances)] for app in APPS}
    starting: list[tuple[str, subprocess.Popen[bytes], Path]] = []
    for app, target in APPS.items():
        stack.instances[app] = []
        for number, port in enumerate(ports[app], start=1):
            log = run / f"{app}-{number}.log"
            instance_env = {
                **env,
                "SCRIPT_NAME": f"/{app}",
                "GUNICORN_BIND": f"127.0.0.1:{port}",
                # Each instance adds up its own workers' metrics (docs/spec.md#101-metrics).
                "PROMETHEUS_MULTIPROC_DIR": str(run / "metrics" / f"{app}-{number}"),
            }
            command = [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                str(HERE / "gunicorn.conf.py"),
                "--no-control-socket",
                target,
            ]
            process = subprocess.Popen(
                command, env=instance_env, stdout=log.open("wb"), stderr=subprocess.STDOUT
            )
            launch.processes.append(process)
            stack.instances[app].append(process)
            starting.append((_health_url(app, port), process, log))
    for url, process, log in starting:  # all of them start at once, then each is waited for
        _wait(url, process, log, THROUGH_HTTPS)
    config = _render_nginx(run, launch.http_port, launch.https_port, ports)
    nginx_log = run / "nginx.log"
    nginx = subprocess.Popen(
        ["nginx", "-c", str(config), "-p", str(run), "-g", "daemon off;"],
        stdout=nginx_log.open("wb"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    launch.processes.append(nginx)
    return nginx, nginx_log


def _start_apache(launch: Launch) -> Started:
    """Apache with a daemon process per worker of `instances` gunicorns, for each app: the
    same number of single-threaded processes as behind nginx. Its environment is the apps' settings
    alone: the daemon processes inherit it, and a PYTHONPATH or VIRTUAL_ENV of this process
    would mislead Debian's python3 in them."""
    stack, run = launch.stack, launch.stack.run
    ports = {"http": launch.http_port, "https": launch.https_port, "metrics": _free_port()}
    stack.ports = {app: [ports["metrics"]] for app in APPS}
    per_app = launch.instances * GUNICORN_WORKERS
    config = httpd.render(run, ports, per_app, httpd.python_home(), httpd.deploy_code(run))
    apache_env = {
        **{name: launch.env[name] for name in APP_SETTINGS},
        "PATH": "/usr/sbin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        # The client's own address is the connection's: no proxy in front, and any
        # X-Forwarded-For a client sends is its own invention (docs/spec.md#96-limits).
        "TRUSTED_PROXY_HOPS": "0",
        "METRICS_ROOT": str(httpd.metrics_folders(run)),
    }
    log = run / "error.log"
    apache = subprocess.Popen(
        httpd.command(config), env=apache_env, stdout=log.open("wb"), stderr=subprocess.STDOUT
    )
    launch.processes.append(apache)
    stack.instances["apache"] = [apache]
    return apache, log


STARTING = {"nginx": "two gunicorns per app and nginx", "apache": "Apache with mod_wsgi"}
LOGS = {
    "nginx": "flask-1.log … django-2.log, nginx.log, access.log",
    "apache": "error.log, access.log",
}


def _roll_out_commands(stack: Stack) -> str:
    """What to type to train another model and roll it out to every gunicorn of the stack
    (docs/deploy.md#rolling-out-a-model), watched through nginx, which trusts its certificate."""
    new = stack.run / "new" / "model.joblib"
    train_new = [sys.executable, "-m", "shared_model", "train", "--seed", "7", "--out", str(new)]
    if stack.web_server == "apache":  # install, then touch each app's WSGI script
        install = [sys.executable, "-m", "deploy.rollout", str(new), "--models", str(stack.models)]
        touch = ["touch", *(str(httpd.script(stack.run, app)) for app in APPS)]
        return (
            f"A new model for both apps, without downtime: in {HERE.parent}, run\n"
            f"  {shlex.join(train_new)}\n  {shlex.join(install)}\n  {shlex.join(touch)}\n"
        )
    roll_out = [
        sys.executable, "-m", "deploy.rollout", str(new), "--models", str(stack.models),
        *(argument for pid in stack.pids() for argument in ("--pid", str(pid))),
        *(argument for app in APPS for argument in ("--health", f"{stack.url}/{app}/api/v1/health")),
        "--cafile", str(stack.run / "tls" / "cert.pem"),
    ]  # fmt: skip
    return (
        f"A new model for both apps, without downtime: in {HERE.parent}, run\n"
        f"  {shlex.join(train_new)}\n  {shlex.join(roll_out)}\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m deploy.stack", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--https-port", type=int, default=8443)
    parser.add_argument("--http-port", type=int, default=8080)
    parser.add_argument("--web-server", choices=WEB_SERVERS, default="nginx")
    args = parser.parse_args(argv)
    # `kill` stops it as Ctrl-C does: every server stopped and the folder removed, none left over.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    missing = missing_tools(args.web_server)
    if missing:
        print(f"Missing {', '.join(missing)}: {MISSING_HINT}.", file=sys.stderr)
        return 2
    print(f"Starting PostgreSQL, {STARTING[args.web_server]} ...", flush=True)
    with running_stack(
        https_port=args.https_port, http_port=args.http_port, web_server=args.web_server
    ) as stack:
        print(
            f"\nThe stack is running (a throw-away certificate: your browser will warn).\n"
            f"  Flask   {stack.url}/flask/\n  Django  {stack.url}/django/\n"
            f"  plain HTTP {stack.http_url}/ redirects to HTTPS\n"
            f"  logs    {stack.run}/ ({LOGS[args.web_server]})\n"
            "Press Ctrl-C to stop (it removes the logs too).\n",
            flush=True,
        )
        print(_roll_out_commands(stack), flush=True)
        try:
            while all(p.poll() is None for group in stack.instances.values() for p in group):
                time.sleep(1)
        except KeyboardInterrupt:
            signal.signal(
                signal.SIGINT, signal.SIG_IGN
            )  # a second Ctrl-C must not cut the clean-up short
    print("Stopped and removed the stack.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
