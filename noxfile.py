"""Every task of the project is a nox session; `python3 dev.py -s NAME` runs one from scratch.

Each session installs exactly what it needs, pinned by constraints.txt, into its own virtual
environment under .nox/ (reused on later runs). The `model`, `flask` and `django` sessions install
one framework or none, which proves that each part stands without the others.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nox

sys.path.insert(0, str(Path(__file__).parent))  # deploy.postgres: standard library only

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_venv = "yes"
nox.options.error_on_missing_interpreters = True
nox.options.sessions = ["lint", "typecheck", "model", "flask", "django", "tests", "postgres"]
# `tests` runs tests/deploy too: it skips them, saying why, where nginx or PostgreSQL is missing.

PYTHON = "3.11"
CONSTRAINTS = ("-c", "constraints.txt")


def user_paths(session: nox.Session) -> list[str]:
    """The session's arguments, with `--csv FILE` made absolute against where dev.py was run
    (nox itself runs in the repository's folder)."""
    args = list(session.posargs)
    for index, arg in enumerate(args[:-1]):
        if arg == "--csv":
            args[index + 1] = str(Path(session.invoked_from, args[index + 1]).resolve())
    return args


def install(session: nox.Session, *extras: str) -> None:
    """The project itself (editable) with these extras, every version from constraints.txt.

    `compat` editable mode puts the repository itself on the path, so a package added later
    (or a folder the tests import) is found without reinstalling.
    """
    target = f".[{','.join(extras)}]" if extras else "."
    session.install("-e", target, *CONSTRAINTS, "--config-settings", "editable_mode=compat")


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """Everything that runs on this machine: the model, both apps, the contract and parity suites."""
    install(session, "flask", "django", "test", "browser", "bench")
    session.run("pytest", *session.posargs)


@nox.session(python=PYTHON)
def model(session: nox.Session) -> None:
    """shared_model's tests in an environment with no web framework: the package needs none."""
    install(session, "test")
    session.run(
        "python",
        "-c",
        "import importlib.util as u; assert not u.find_spec('flask') and not u.find_spec('django')",
    )
    session.run("pytest", "tests/model", *session.posargs)


def assert_not_installed(session: nox.Session, *packages: str) -> None:
    names = ", ".join(repr(p) for p in packages)
    session.run(
        "python",
        "-c",
        f"import importlib.util as u; assert not any(map(u.find_spec, [{names}]))",
        silent=True,
    )


@nox.session(python=PYTHON)
def flask(session: nox.Session) -> None:
    """The contract suite and Flask's own tests against the Flask app, with no Django installed."""
    install(session, "flask", "test")
    assert_not_installed(session, "django")
    session.run(
        "pytest",
        "tests/contract",
        "tests/flask_only",
        "tests/served",
        "-m",
        "not django",
        *session.posargs,
    )


@nox.session(python=PYTHON)
def django(session: nox.Session) -> None:
    """The contract suite and Django's own tests against the Django app, with no Flask installed."""
    install(session, "django", "test")
    assert_not_installed(session, "flask")
    session.run(
        "pytest",
        "tests/contract",
        "tests/django_only",
        "tests/served",
        "-m",
        "not flask",
        *session.posargs,
    )


@nox.session(python=PYTHON)
def parity(session: nox.Session) -> None:
    """The same requests to both apps, the same answers."""
    install(session, "flask", "django", "test")
    session.run("pytest", "tests/parity", *session.posargs)


@nox.session(python=PYTHON)
def postgres(session: nox.Session) -> None:
    """The contract suite for both apps on a throw-away PostgreSQL server (Debian's postgresql)."""
    from deploy.postgres import INSTALL_HINT, find_binaries, throwaway_cluster

    if find_binaries() is None:
        session.skip(f"no PostgreSQL server on this machine: {INSTALL_HINT}")
    install(session, "flask", "django", "test")
    with throwaway_cluster() as cluster:
        session.run("pytest", "tests/contract", *session.posargs, env={"DATABASE_URL": cluster.url})


@nox.session(python=PYTHON)
def deploy(session: nox.Session) -> None:
    """nginx → gunicorn (two per app) → PostgreSQL on this machine; smoke and fault tests through
    nginx, then everything is stopped. `-- --keep-running` starts the stack for a browser instead."""
    from deploy.system import MISSING_HINT, missing_tools

    if missing_tools():
        session.skip(f"missing {', '.join(missing_tools())}: {MISSING_HINT}")
    install(session, "flask", "django", "test")
    if "--keep-running" in session.posargs:
        session.run("python", "-m", "deploy.stack")
    else:
        session.run("pytest", "tests/deploy", *session.posargs)


@nox.session(python=PYTHON)
def browser(session: nox.Session) -> None:
    """Both apps in Chromium (Playwright), side by side; writes docs/screenshots/."""
    install(session, "flask", "django", "test", "browser")
    session.run("pytest", "tests/browser", *session.posargs)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff's lint rules and its formatter, in check mode."""
    session.install("ruff", *CONSTRAINTS)
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(python=PYTHON)
def typecheck(session: nox.Session) -> None:
    """mypy, strict, over shared_model (the typed core both apps call)."""
    install(session)
    session.install("mypy", *CONSTRAINTS)
    session.run("mypy")


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """The load benchmark: bare WSGI, Flask, Django and FastAPI under wrk; writes docs/benchmark.*
    and the figures in comparison.md (`-- --rounds N --seconds S`). Then the model's own speed."""
    import shutil

    if shutil.which("wrk") is None:
        if not can_apt_get():
            session.error("wrk is not installed: sudo apt-get install wrk (or brew install wrk)")
        session.run("apt-get", "update", "-qq", external=True)
        session.run("apt-get", "install", "-y", "-qq", "wrk", external=True)
    install(session, "flask", "django", "bench", "test")
    session.run("python", "-m", "benchmarks.load", *session.posargs)
    session.run(
        "pytest",
        "benchmarks",
        "--benchmark-only",
        "--benchmark-columns=min,median,mean,ops",
        "-q",
    )


def can_apt_get() -> bool:
    """True where this process may install Debian packages itself (root, as in CI)."""
    import os
    import shutil

    return os.name == "posix" and os.geteuid() == 0 and shutil.which("apt-get") is not None


@nox.session(python=PYTHON)
def serve(session: nox.Session) -> None:
    """Both apps side by side on http://127.0.0.1:8000/ (`-- --port N`, `-- --csv FILE --target COLUMN`)."""
    install(session, "flask", "django")
    session.run("python", "-m", "side_by_side.serve", *user_paths(session))


@nox.session(python=PYTHON)
def train(session: nox.Session) -> None:
    """Train the model (iris unless told: `-- --dataset wine` or `-- --csv FILE --target COLUMN`)."""
    install(session)
    session.run("python", "-m", "shared_model", "train", *user_paths(session))


@nox.session(python=PYTHON)
def compare(session: nox.Session) -> None:
    """Regenerate comparison.md's links, excerpts and counts in place (`-- --check`: only check).

    Both apps' extras, pinned, so that the installed packages it measures are what each app gets;
    the test extra, because it counts the tests each app's session runs."""
    install(session, "flask", "django", "test")
    session.run("python", "docs/compare.py", *session.posargs)
