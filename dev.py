#!/usr/bin/env python3
"""Run nox from a virtual environment of its own, so a fresh machine needs only Python and pip.

    python3 dev.py -s serve      # both apps side by side
    python3 dev.py               # every test, lint and type check

The first run makes `.venv-nox/` with the pinned nox and uv from `constraints.txt`; every later
run reuses it. Any arguments are nox's own (`python3 dev.py --list` shows the sessions).
"""

import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv-nox"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
TOOLS = ("nox", "uv")


def pinned(names: tuple[str, ...]) -> list[str]:
    """The `name==version` lines of constraints.txt for these packages."""
    wanted = []
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        name = line.split("==", 1)[0].strip().lower()
        if name in names:
            wanted.append(line.strip())
    return wanted


def ensure_nox() -> Path:
    nox = BIN / ("nox.exe" if os.name == "nt" else "nox")
    stamp = VENV / "constraints.txt"
    pins = "\n".join(pinned(TOOLS))
    if nox.exists() and stamp.exists() and stamp.read_text() == pins:
        return nox
    if sys.version_info < (3, 11):  # noqa: UP036 - said plainly, before anything fails
        sys.exit("This project needs Python 3.11 or newer.")
    print(f"dev.py: installing {', '.join(pinned(TOOLS))} into {VENV.name}/ (once)", flush=True)
    venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    pip = [str(BIN / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, *pinned(TOOLS)], check=True)
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
