"""Every task of the project is a nox session; `python3 dev.py -s NAME` runs one from scratch.

Each session installs exactly what it needs, pinned by constraints.txt, into its own virtual
environment under .nox/ (reused on later runs). The `model`, `flask` and `django` sessions install
one framework or none, which proves that each part stands without the others.

`python3 dev.py` runs the default sessions, and each test once in each configuration it needs:

    lint, typecheck  ruff and mypy
    model            tests/model and tests/shared_web, with no web framework installed
    flask            the contract suite, tests/flask_only and tests/served for Flask (no Django)
    django           the same for Django (no Flask)
    tests            everything the sessions above leave out (parity, browser, bench, docs,
                     deploy, packaging, ...), with both apps and every extra installed
    postgres         the contract suite for both apps again, on PostgreSQL

The others (parity, browser, deploy, bench, serve, train, compare) run only when named.
"""

from __future__ import annotations

import ast
import inspect
import os
import re
import sys
from pathlib import Path

import nox

sys.path.insert(0, str(Path(__file__).parent))  # deploy.postgres: standard library only

nox.needs_version = ">=2026.10.20"  # the nox pinned in constraints.txt, which dev.py installs
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_venv = "yes"
nox.options.error_on_missing_interpreters = True

ROOT = Path(__file__).parent
PYTHON = "3.11"
CONSTRAINTS = ("-c", "constraints.txt")
PYPROJECT = nox.project.load_toml(ROOT / "pyproject.toml")
APPS = ("flask", "django")
# Tests spread over the machine's cores (pytest-xdist), each module's on one worker and the
# stacks' and the browser's folders each on one (tests/conftest.py groups them): most tests wait
# for a server, so a second worker nearly halves the time on 2 cores.
IN_PARALLEL = ("-n", "auto", "--maxprocesses", "4", "--dist", "loadgroup")


def user_paths(session: nox.Session) -> list[str]:
    """The session's arguments, with `--csv FILE` made absolute against where dev.py was run
    (nox itself runs in the repository's folder)."""
    args = list(session.posargs)
    for index, arg in enumerate(args[:-1]):
        if arg == "--csv":
            args[index + 1] = str(Path(session.invoked_from, args[index + 1]).resolve())
    return args


# uv, unlike pip, leaves compiling the installed modules to bytecode to their first import. Where
# PYTHONDONTWRITEBYTECODE is set, no import writes it, and every process (each gunicorn worker,
# each subprocess a test starts) would compile scikit-learn, SciPy and a framework again: seconds
# of CPU each, minutes in all. There uv compiles them once, when it installs them.
COMPILED = {"UV_COMPILE_BYTECODE": "1"} if os.environ.get("PYTHONDONTWRITEBYTECODE") else {}


def install(session: nox.Session, *extras: str) -> None:
    """The project itself (editable) with these extras, every version from constraints.txt.

    `compat` editable mode puts the repository itself on the path, so a package added later
    (or a folder the tests import) is found without reinstalling.
    """
    target = f".[{','.join(extras)}]" if extras else "."
    session.install(
        "-e", target, *CONSTRAINTS, "--config-settings", "editable_mode=compat", env=COMPILED
    )


def install_group(session: nox.Session, group: str) -> None:
    """A development tool's dependency group from pyproject.toml, pinned by constraints.txt."""
    session.install(*nox.project.dependency_groups(PYPROJECT, group), *CONSTRAINTS, env=COMPILED)


def assert_not_installed(session: nox.Session, *packages: str) -> None:
    names = ", ".join(repr(p) for p in packages)
    session.run(
        "python",
        "-c",
        f"import importlib.util as u; assert not any(map(u.find_spec, [{names}]))",
        silent=True,
    )


# The default sessions, in the order `python3 dev.py` runs them.


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff's lint rules and its formatter, in check mode."""
    install_group(session, "lint")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(python=PYTHON)
def typecheck(session: nox.Session) -> None:
    """mypy, strict, over shared_model and shared_web (the typed core both apps call)."""
    install(session)
    install_group(session, "typecheck")
    session.run("mypy")


@nox.session(python=PYTHON)
def model(session: nox.Session) -> None:
    """shared_model's and shared_web's tests with no web framework installed: they need none."""
    install(session, "test")
    assert_not_installed(session, "flask", "django")
    session.run("pytest", "tests/model", "tests/shared_web", *session.posargs)


# flask and django spell their pytest arguments out in `session.run`: docs/compare.py reads them
# there to count each app's tests, and `tests` reads them there to leave those tests out.


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
        *IN_PARALLEL,
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
        *IN_PARALLEL,
        *session.posargs,
    )


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """The tests no other default session runs, with both apps and every extra installed.

    That is every folder of tests/ but those `model`, `flask` and `django` run (so parity,
    browser, bench, docs, deploy, packaging and any folder added later, found when it runs), and
    the test files in theirs that need both apps at once (tests/served/test_serve_command.py).
    tests/deploy skips, saying why, where nginx, Apache's mod_wsgi or PostgreSQL is missing (under
    CI=true it fails instead); tests/browser where Chromium is.

    Arguments go to pytest (`-- -x`); with a test path among them, pytest runs that path
    instead, in this environment where everything is installed: `-- tests/contract -k csv`,
    or `-- tests` for the whole suite at once.
    """
    install(session, "flask", "django", "test", "browser", "bench")
    args = list(session.posargs)
    if not any(is_test_path(arg) for arg in args):
        rest = rest_of_the_suite()
        if not rest:
            session.error("noxfile.py: the other sessions run every test; `tests` has none left")
        args = [*rest, *args]
    session.run("pytest", *IN_PARALLEL, *args)


@nox.session(python=PYTHON)
def postgres(session: nox.Session) -> None:
    """The contract suite for both apps on a throw-away PostgreSQL server (Debian's postgresql)."""
    from deploy.postgres import INSTALL_HINT, find_binaries, throwaway_cluster

    if find_binaries() is None:
        session.skip(f"no PostgreSQL server on this machine: {INSTALL_HINT}")
    install(session, "flask", "django", "test")
    with throwaway_cluster() as cluster:
        session.run("pytest", "tests/contract", *session.posargs, env={"DATABASE_URL": cluster.url})


def is_test_path(arg: str) -> bool:
    return not arg.startswith("-") and (ROOT / arg.split("::")[0]).exists()


def pytest_paths(*sessions: object) -> set[str]:
    """The test paths these sessions give pytest, read from their `session.run("pytest", ...)`."""
    paths = set()
    for session in sessions:
        tree = ast.parse(inspect.getsource(session.func))  # type: ignore[attr-defined]
        for call in (node for node in ast.walk(tree) if isinstance(node, ast.Call)):
            words = [str(a.value) for a in call.args if isinstance(a, ast.Constant)]
            if words[:1] == ["pytest"]:
                paths |= {w for w in words[1:] if w.startswith("tests/")}
    return paths


def needs_both_apps(file: Path) -> bool:
    """Whether a test module skips itself unless Flask and Django are both installed."""
    text = file.read_text()
    return all(re.search(rf'^pytest\.importorskip\("{app}"', text, re.M) for app in APPS)


def rest_of_the_suite() -> list[str]:
    """Every folder (or file) of tests/ that `model`, `flask` and `django` leave out."""
    elsewhere = pytest_paths(model, flask, django)
    rest = set()
    for file in (ROOT / "tests").rglob("test_*.py"):
        relative = file.relative_to(ROOT)
        folder = "/".join(relative.parts[:2]) if len(relative.parts) > 2 else str(relative)
        if folder not in elsewhere:
            rest.add(folder)
        elif needs_both_apps(file):
            rest.add(relative.as_posix())
    return sorted(rest)


# Run only when named: `python3 dev.py -s NAME`.


@nox.session(python=PYTHON, default=False)
def parity(session: nox.Session) -> None:
    """The same requests to both apps, the same answers."""
    install(session, "flask", "django", "test")
    session.run("pytest", "tests/parity", *session.posargs)


@nox.session(python=PYTHON, default=False)
def deploy(session: nox.Session) -> None:
    """The stack on this machine, once behind nginx (gunicorn beside it, two per app) and once
    behind Apache httpd (mod_wsgi inside it, one daemon group per app), PostgreSQL behind
    both: smoke, fault and roll-out tests through each web server (`-- -k apache` for one), then
    everything is stopped. `-- --keep-running [--web-server apache]` starts one for a browser."""
    from deploy.system import MISSING_HINT, WEB_SERVERS, missing_tools

    missing = {server: missing_tools(server) for server in WEB_SERVERS}
    if all(missing.values()) and os.environ.get("CI") != "true":  # under CI the tests fail
        lacks = "; ".join(f"{server}: {', '.join(tools)}" for server, tools in missing.items())
        session.skip(f"missing {lacks}: {MISSING_HINT}")
    install(session, "flask", "django", "test")
    if "--keep-running" in session.posargs:
        stack_args = [arg for arg in session.posargs if arg != "--keep-running"]
        session.run("python", "-m", "deploy.stack", *stack_args)
    else:
        session.run("pytest", "tests/deploy", *session.posargs)


@nox.session(python=PYTHON, default=False)
def browser(session: nox.Session) -> None:
    """Both apps in Chromium (Playwright), side by side; writes docs/screenshots/."""
    install(session, "flask", "django", "test", "browser")
    session.run("pytest", "tests/browser", *session.posargs)


@nox.session(python=PYTHON, default=False)
def bench(session: nox.Session) -> None:
    """The load benchmark: bare WSGI, Flask, Django and FastAPI under wrk; writes docs/benchmark.*
    and the figures in comparison.md (`-- --rounds N --seconds S`). Then what each way of writing
    predictions costs (ORM or lower layer), and the model's own speed."""
    import shutil

    if shutil.which("wrk") is None:
        session.error(
            "wrk is not installed; the benchmark needs it: sudo apt-get install wrk "
            "(macOS: brew install wrk)"
        )
    install(session, "flask", "django", "bench", "test")
    session.run("python", "-m", "benchmarks.load", *session.posargs)
    session.run("python", "-m", "benchmarks.writes")
    session.run(
        "pytest",
        "benchmarks",
        "--benchmark-only",
        "--benchmark-columns=min,median,mean,ops",
        "-q",
    )


@nox.session(python=PYTHON, default=False)
def serve(session: nox.Session) -> None:
    """Both apps side by side on http://127.0.0.1:8000/ (`-- --port N`, `-- --csv FILE --target COLUMN`)."""
    install(session, "flask", "django")
    session.run("python", "-m", "side_by_side.serve", *user_paths(session))


@nox.session(python=PYTHON, default=False)
def train(session: nox.Session) -> None:
    """Train the model (iris unless told: `-- --dataset wine` or `-- --csv FILE --target COLUMN`)."""
    install(session)
    session.run("python", "-m", "shared_model", "train", *user_paths(session))


@nox.session(python=PYTHON, default=False)
def compare(session: nox.Session) -> None:
    """Regenerate comparison.md's links, excerpts and counts in place (`-- --check`: only check).

    Both apps' extras, pinned, so that the installed packages it measures are what each app gets;
    the test extra, because it counts the tests each app's session runs."""
    install(session, "flask", "django", "test")
    session.run("python", "docs/compare.py", *session.posargs)
