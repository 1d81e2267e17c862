"""`pip install .` gives two working apps: the wheel alone, installed outside the checkout.

Templates, the stylesheet, migrations and the model's code must all travel inside the wheel, and
neither app may look for anything in the source tree. So this test builds the wheel, installs it
with its pinned dependencies into a fresh virtual environment in a temporary folder, and from
there (the checkout nowhere on the path) trains a model, migrates both databases, starts both
apps and fetches each one's form page and stylesheet.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from waiting import answers, output_of, wait_until

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("shared_model", "shared_web", "flask_app", "django_app")
NOT_SOURCE = (".git", ".nox", ".venv*", "var", "instance", "build", "*.egg-info", "__pycache__")


def run(command: list[str], cwd: Path, env: dict[str, str]) -> str:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}"
    return result.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, str]]]:
    """A fresh venv holding the wheel with both apps' extras; its bin folder and environment."""
    work = tmp_path_factory.mktemp("wheel")
    uv = shutil.which("uv")
    if uv is None:
        pytest.skip("uv is not on PATH (nox puts it there: python3 dev.py -s tests)")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    # Built from a copy, so that the build's own files never land in the checkout.
    source = work / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*NOT_SOURCE))
    run([uv, "build", "--wheel", "--out-dir", str(work / "dist"), str(source)], work, env)
    [wheel] = (work / "dist").glob("*.whl")
    venv = work / "venv"
    run([uv, "venv", "--python", sys.executable, str(venv)], work, env)
    python = venv / "bin" / "python"
    run(
        [
            uv,
            "pip",
            "install",
            "--python",
            str(python),
            "-c",
            str(ROOT / "constraints.txt"),
            f"{wheel}[flask,django]",
        ],
        work,
        env,
    )
    env |= {
        "PATH": f"{venv / 'bin'}{os.pathsep}{env['PATH']}",
        "MODEL_PATH": str(work / "model" / "model.joblib"),
        "SECRET_KEY": "wheel-test-secret-key",
    }
    yield venv / "bin", env


def test_the_apps_are_imported_from_site_packages(installed):
    bin_dir, env = installed
    code = "import importlib; print('\\n'.join(importlib.import_module(p).__file__ for p in %r))"
    files = run([str(bin_dir / "python"), "-c", code % (PACKAGES,)], bin_dir.parent, env)
    for line in files.splitlines():
        assert "site-packages" in line, line
        assert not line.startswith(str(ROOT)), line


@pytest.mark.parametrize(
    ("framework", "migrate", "target"),
    [
        ("flask", ["flask", "--app", "flask_app", "db", "upgrade"], "flask_app:create_app()"),
        (
            "django",
            ["django-admin", "migrate", "--settings=django_app.settings"],
            "django_app.wsgi:application",
        ),
    ],
)
def test_the_installed_app_migrates_starts_and_serves_its_page_and_css(
    installed, tmp_path, framework, migrate, target
):
    bin_dir, env = installed
    env = {
        **env,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'app.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "django_app.settings",
    }
    if not Path(env["MODEL_PATH"]).exists():
        run(
            [str(bin_dir / "python"), "-m", "shared_model", "train", "--out", env["MODEL_PATH"]],
            tmp_path,
            env,
        )
    run([str(bin_dir / migrate[0]), *migrate[1:]], tmp_path, env)
    port = free_port()
    log = tmp_path / "gunicorn.log"
    server = subprocess.Popen(
        [str(bin_dir / "gunicorn"), "--bind", f"127.0.0.1:{port}", target],
        cwd=tmp_path,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until(answers(f"{url}/api/v1/health"), server, output_of(log), f"{framework} app")
        with urllib.request.urlopen(f"{url}/", timeout=30) as page:
            assert b'data-testid="prediction-form"' in page.read()
        with urllib.request.urlopen(f"{url}/static/style.css", timeout=30) as css:
            assert css.read() == (ROOT / "shared_web" / "static" / "style.css").read_bytes()
    finally:
        server.terminate()
        server.wait(timeout=30)
