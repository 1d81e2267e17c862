"""`python -m side_by_side.serve`: train the model if there is none, migrate both databases, and
serve both apps under gunicorn on one address, until Ctrl-C.

    python -m side_by_side.serve [--port 8000] [--dataset wine | --csv FILE --target COLUMN]

The iris model and its databases live in `var/`; another data set gets a folder of its own,
`var/NAME/`, so that each model keeps its own history. A second run reuses what is there (a CSV
file changed since its model was trained is trained on again; --retrain forces it).
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path

from shared_model.artifact import VAR, default_model_path, save
from shared_model.datasets import BUILTIN_DATASETS, DataError, load_builtin, load_csv
from shared_model.training import train

EXIT_USAGE = 2
GUNICORN_CONFIG = Path(__file__).parents[1] / "deploy" / "gunicorn.conf.py"
STARTUP_SECONDS = 180  # generous for a busy machine; the wait ends at the apps' first answer


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python3 dev.py -s serve --", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--port", type=int, default=8000, help="the port on 127.0.0.1 (default 8000)"
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--dataset", choices=BUILTIN_DATASETS, help="one of scikit-learn's data sets"
    )
    source.add_argument(
        "--csv", metavar="FILE", help="your own data: numeric columns and a class column"
    )
    parser.add_argument(
        "--target", metavar="COLUMN", help="with --csv: the column that holds the class"
    )
    parser.add_argument("--retrain", action="store_true", help="train again even if a model exists")
    parser.add_argument(
        "--workers", type=int, default=2, help="gunicorn worker processes (default 2)"
    )
    parser.add_argument("--data-dir", type=Path, default=VAR.resolve(), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.csv and not args.target:
        parser.error("--csv needs --target COLUMN, the column that holds the class")
    return args


def model_path_for(args: argparse.Namespace) -> Path:
    """`var/model.joblib` for iris; `var/NAME/model.joblib` for another data set or a CSV file."""
    name = Path(args.csv).stem if args.csv else (args.dataset or "iris")
    return default_model_path(name, root=args.data_dir)


def ensure_model(args: argparse.Namespace, path: Path) -> None:
    """Train unless a model is there already (and, for a CSV file, newer than the file)."""
    stale = args.csv and path.exists() and Path(args.csv).stat().st_mtime > path.stat().st_mtime
    if path.exists() and not args.retrain and not stale:
        print(f"Using the model at {path} (--retrain trains it again).")
        return
    if stale:
        print(f"{args.csv} changed since the model was trained.")
    data = (
        load_csv(Path(args.csv), args.target) if args.csv else load_builtin(args.dataset or "iris")
    )
    print(f"Training a model on {data.dataset} ...", flush=True)
    manifest = save(train(data), path)
    print(
        f"Trained {manifest.name} {manifest.version}: test accuracy {manifest.metrics['test_accuracy']:.3f}."
    )


def check_port_free(port: int) -> None:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            raise SystemExit(
                f"Port {port} on 127.0.0.1 is already in use: stop what uses it, or pick another "
                f"port with `python3 dev.py -s serve -- --port {port + 1}`."
            ) from None


def migrate(env: dict[str, str]) -> None:
    commands = {
        "Flask": (
            [sys.executable, "-m", "flask", "--app", "flask_app", "db", "upgrade"],
            env["FLASK_DATABASE_URL"],
        ),
        "Django": (
            [sys.executable, "-m", "django", "migrate", "--settings=django_app.settings"],
            env["DJANGO_DATABASE_URL"],
        ),
    }
    for name, (command, url) in commands.items():
        result = subprocess.run(
            command, env={**env, "DATABASE_URL": url}, capture_output=True, text=True
        )
        if result.returncode != 0:
            last = (result.stderr or result.stdout).strip().splitlines()[-1:]
            raise SystemExit(f"Migrating the {name} database {url} failed: {' '.join(last)}")
        print(f"{name} database ready: {url}")


def secret_key(folder: Path) -> str:
    """The development key of this data folder, made on the first run (`SECRET_KEY` in the
    environment wins)."""
    path = folder / "secret_key"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


def staff_commands(env: dict[str, str]) -> str:
    """How to make a staff account in each app's database (docs/spec.md#94-ownership)."""
    bin_dir = Path(sys.executable).parent
    return (
        "A staff account sees every prediction; make one in each app from another terminal:\n"
        f"  DATABASE_URL={env['FLASK_DATABASE_URL']} {bin_dir / 'flask'} --app flask_app "
        "create-staff NAME\n"
        f"  DATABASE_URL={env['DJANGO_DATABASE_URL']} {bin_dir / 'django-admin'} "
        "createsuperuser --settings=django_app.settings\n"
    )


def wait_until_up(process: subprocess.Popen[bytes], base: str) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    for app in ("flask", "django"):
        while True:
            if process.poll() is not None:
                raise SystemExit("gunicorn stopped while starting; see its messages above.")
            try:
                with urllib.request.urlopen(f"{base}/{app}/api/v1/health", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit(
                        f"The apps did not answer within {STARTUP_SECONDS} s; see the messages above."
                    ) from None
                time.sleep(0.2)


def main(argv: Sequence[str] | None = None) -> int:
    # `kill` (or a service manager) stops it as Ctrl-C does, gunicorn included, not halfway.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    args = parse_args(argv)
    model_path = model_path_for(args)
    folder = model_path.parent
    check_port_free(args.port)
    try:
        ensure_model(args, model_path)
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    env = {
        # A key of this folder's own keeps the development warning out of the way, and the
        # sessions (kept in the databases) valid from one run to the next.
        "SECRET_KEY": secret_key(args.data_dir),
        # Both apps' finished spans, for /_dev/spans (docs/spec.md#103-traces).
        "RECENT_SPANS_PATH": str(args.data_dir / "recent-spans.sqlite3"),
        **os.environ,
        "MODEL_PATH": str(model_path),
        "FLASK_DATABASE_URL": f"sqlite:///{folder / 'flask.sqlite3'}",
        "DJANGO_DATABASE_URL": f"sqlite:///{folder / 'django.sqlite3'}",
    }
    migrate(env)
    base = f"http://127.0.0.1:{args.port}"
    # The deployment's gunicorn settings and hooks (the metrics of all workers add up:
    # docs/spec.md#101-metrics), on this address, with a shorter wait on Ctrl-C.
    command = [
        sys.executable, "-m", "gunicorn", "side_by_side.wsgi:application",
        "--config", str(GUNICORN_CONFIG),
        "--bind", f"127.0.0.1:{args.port}", "--workers", str(args.workers),
        "--graceful-timeout", "10", "--no-control-socket",
    ]  # fmt: skip
    process = subprocess.Popen(command, env=env)
    try:
        wait_until_up(process, base)
        print(
            "\nBoth apps are running. Open in a browser:\n"
            f"  side by side  {base}/\n"
            f"  Flask         {base}/flask/\n"
            f"  Django        {base}/django/\n"
            f"What each app is doing: {base}/flask/metrics, {base}/django/metrics (Prometheus);\n"
            f"what the last requests did: {base}/flask/_dev/spans (OpenTelemetry, both apps).\n"
            "Press Ctrl-C to stop.\n",
            flush=True,
        )
        print(staff_commands(env), flush=True)
        process.wait()
    except KeyboardInterrupt:
        process.send_signal(
            signal.SIGTERM
        )  # gunicorn's graceful stop (Ctrl-C may have reached it too)
        process.wait()
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait()
    if process.returncode == 0:
        print("\nStopped both apps.")
    return process.returncode


if __name__ == "__main__":
    sys.exit(main())
