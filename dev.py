#!/usr/bin/env python3
"""Run nox from a virtual environment of its own, so a fresh machine needs only Python and pip.

    python3 dev.py -s serve      # both apps side by side
    python3 dev.py               # every test, lint and type check

The first run makes `.venv-nox/` with the `nox` dependency group of pyproject.toml (nox and uv),
at the versions constraints.txt pins for them and everything they need; every later run reuses
it. Any arguments are nox's own (`python3 dev.py --list` shows the sessions).
"""

import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv-nox"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
CONSTRAINTS = ROOT / "constraints.txt"


def tools() -> list[str]:
    """The requirements of pyproject.toml's `nox` dependency group (PEP 735): nox and uv."""
    import tomllib  # Python 3.11 or newer, checked before

    groups = tomllib.loads((ROOT / "pyproject.toml").read_text())["dependency-groups"]
    return [str(requirement) for requirement in groups["nox"]]


def pinned(names: list[str]) -> list[str]:
    """The `name==version` lines of constraints.txt for these packages."""
    wanted = {name.lower() for name in names}
    lines = CONSTRAINTS.read_text().splitlines()
    return [line.strip() for line in lines if line.split("==", 1)[0].strip().lower() in wanted]


def ensure_nox() -> Path:
    nox = BIN / ("nox.exe" if os.name == "nt" else "nox")
    if sys.version_info < (3, 11):  # noqa: UP036 - said plainly, before anything fails
        sys.exit("This project needs Python 3.11 or newer.")
    stamp = VENV / "constraints.txt"
    names = tools()
    pins = "\n".join(pinned(names))
    if nox.exists() and stamp.exists() and stamp.read_text() == pins:
        return nox
    print(f"dev.py: installing {', '.join(pinned(names))} into {VENV.name}/ (once)", flush=True)
    venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    pip = [str(BIN / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "-c", str(CONSTRAINTS), *names], check=True)
    stamp.write_text(pins)
    return nox


def main() -> int:
    nox = ensure_nox()
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    args = [str(nox), "-f", str(ROOT / "noxfile.py"), *sys.argv[1:]]
    if os.name == "nt":
        return subprocess.call(args, env=env)
    os.execve(args[0], args, env)  # nox takes this process over, and with it Ctrl-C


if __name__ == "__main__":
    sys.exit(main())
