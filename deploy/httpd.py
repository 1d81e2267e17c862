"""Apache httpd with mod_wsgi in front of both apps (deploy/apache/httpd.conf), for
deploy/stack.py: the interpreter's virtual environment, the configuration, the start.

Debian's mod_wsgi (`libapache2-mod-wsgi-py3`) is built against Debian's own python3, so the apps
run on that interpreter, in a virtual environment of the pinned dependencies (constraints.txt)
that uv makes once per version of constraints.txt and pyproject.toml, under /var/tmp where
Apache's user can read it (it cannot enter root's home, where a pyenv Python lives).
"""

from __future__ import annotations

import hashlib
import os
import pwd
import shutil
import subprocess
import sys
from pathlib import Path

from shared_web.errors import ApiError
from shared_web.headers import HSTS_HEADER, SECURITY_HEADERS
from shared_web.jsoncodec import dumps

HERE = Path(__file__).parent
ROOT = HERE.parent
MODULES = Path("/usr/lib/apache2/modules")
DEBIAN_PYTHON = Path("/usr/bin/python3")  # the interpreter Debian's mod_wsgi embeds
VENVS = Path("/var/tmp/model-web-frameworks-wsgi")
CODE = ("shared_model", "shared_web", "flask_app", "django_app")  # what the apps import
USER = "www-data"  # Apache's workers and mod_wsgi's daemon processes, when started as root


def python_home() -> Path:
    """The virtual environment of Debian's python3 with the apps' pinned dependencies (not the
    apps themselves: the stack copies their code, `deploy_code`), made the first time it is asked
    for a given constraints.txt and pyproject.toml and kept for the next stack."""
    digest = hashlib.sha256()
    for name in ("constraints.txt", "pyproject.toml"):
        digest.update((ROOT / name).read_bytes())
    home = VENVS / digest.hexdigest()[:16]
    if (home / "ready").exists():
        return home
    shutil.rmtree(home, ignore_errors=True)
    uv = [sys.executable, "-m", "uv"] if shutil.which("uv") is None else ["uv"]
    python = ["--python", str(home / "bin" / "python")]
    env = {**os.environ, "UV_COMPILE_BYTECODE": "1"}  # www-data cannot write the bytecode later
    # The project's extras name the apps' requirements, so the project is installed to resolve
    # them, then removed: the code the processes import is the stack's copy.
    for command in (
        ["venv", "--quiet", "--python", str(DEBIAN_PYTHON), str(home)],
        ["pip", "install", "--quiet", *python, "-c", "constraints.txt", ".[flask,django]"],
        ["pip", "uninstall", "--quiet", *python, "model-web-frameworks"],
    ):
        done = subprocess.run([*uv, *command], cwd=ROOT, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"uv {' '.join(command[:2])} for mod_wsgi failed:\n{done.stderr}")
    VENVS.chmod(0o755)
    (home / "ready").touch()
    return home


def deploy_code(run: Path) -> Path:
    """Copy the apps' packages where Apache's user can read them, compiled by the interpreter
    that runs them; returns the folder for mod_wsgi's python-path."""
    code = run / "code"
    for package in CODE:
        shutil.copytree(
            ROOT / package, code / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    subprocess.run([str(DEBIAN_PYTHON), "-m", "compileall", "-q", str(code)], check=True)
    return code


def render(run: Path, ports: dict[str, int], processes: int, home: Path, code: Path) -> Path:
    """deploy/apache/httpd.conf with every @NAME@ filled in, the WSGI script of each app beside
    it, and the files Apache answers itself; returns the configuration's path."""
    headers = "\n".join(
        f'        Header always set {k} "{v}"' for k, v in [*SECURITY_HEADERS.items(), HSTS_HEADER]
    )
    user = USER if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
    values = {
        "RUN": str(run),
        "MODULES": str(MODULES),
        "USER": user,
        "GROUP": user if os.geteuid() == 0 else f"#{os.getegid()}",
        "HTTP_PORT": str(ports["http"]),
        "HTTPS_PORT": str(ports["https"]),
        "METRICS_PORT": str(ports["metrics"]),
        "PROCESSES": str(processes),
        "PYTHON_HOME": str(home),
        "CODE": str(code),
        "SECURITY_HEADERS": headers,
    }
    text = (HERE / "apache" / "httpd.conf").read_text()
    for name, value in values.items():
        text = text.replace(f"@{name}@", value)
    (run / "apache2.conf").write_text(text)
    (run / "wsgi").mkdir()
    for app in ("flask", "django"):
        shutil.copyfile(HERE / "apache" / "app.wsgi", script(run, app))
    (run / "www" / "api-too-large.json").write_bytes(dumps(ApiError.of(413).payload()))
    return run / "apache2.conf"


def script(run: Path, app: str) -> Path:
    """An app's WSGI script: touching it restarts the app's daemon processes."""
    return run / "wsgi" / f"{app}.wsgi"


def metrics_folders(run: Path) -> Path:
    """Each app's empty PROMETHEUS_MULTIPROC_DIR (app.wsgi), writable by the daemon processes."""
    root = run / "metrics"
    for app in ("flask", "django"):
        (root / app).mkdir(parents=True)
        if os.geteuid() == 0:
            shutil.chown(root / app, USER, USER)
    return root


def command(config: Path) -> list[str]:
    """apache2 in the foreground, with this configuration only (not Debian's /etc/apache2)."""
    return [shutil.which("apache2") or "/usr/sbin/apache2", "-f", str(config), "-DFOREGROUND"]
