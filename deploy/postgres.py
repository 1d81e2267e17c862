"""A throw-away PostgreSQL server: a new cluster in a temporary folder, on 127.0.0.1, trust auth.

    with throwaway_cluster() as url:      # postgresql://postgres@127.0.0.1:PORT/app
        ...

It uses Debian's `postgresql` package (`apt-get install postgresql`); `find_binaries()` returns
None where there is none, so callers can skip with a reason. PostgreSQL refuses to run as root:
as root, the cluster belongs to the `postgres` user that the package creates.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

INSTALL_HINT = "install PostgreSQL (Debian/Ubuntu: `sudo apt-get install postgresql`)"


def find_binaries() -> Path | None:
    """The folder holding initdb and pg_ctl (the newest Debian version, or on PATH), or None."""
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name)
    )
    for folder in reversed(candidates):
        if (Path(folder) / "initdb").exists():
            return Path(folder)
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_owner(command: list[str]) -> list[str]:
    """Run as the `postgres` user when we are root (PostgreSQL will not run as root)."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


@contextlib.contextmanager
def throwaway_cluster(database: str = "app") -> Iterator[str]:
    """Start a new cluster, create `database`, yield its URL, and remove it all afterwards."""
    binaries = find_binaries()
    if binaries is None:
        raise RuntimeError(f"No PostgreSQL server found: {INSTALL_HINT}.")
    folder = Path(tempfile.mkdtemp(prefix="pg-"))
    data = folder / "data"
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    port = _free_port()
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE, "check": True}
    subprocess.run(
        _as_owner(
            [
                str(binaries / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
            ]
        ),
        **quiet,
    )
    options = f"-h 127.0.0.1 -p {port} -k {folder} -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    subprocess.run(
        _as_owner(
            [
                str(binaries / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                options,
                "-l",
                str(folder / "log"),
                "-w",
                "start",
            ]
        ),
        **quiet,
    )
    try:
        subprocess.run(
            _as_owner(
                [
                    str(binaries / "createdb"),
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(port),
                    "-U",
                    "postgres",
                    database,
                ]
            ),
            **quiet,
        )
        yield f"postgresql://postgres@127.0.0.1:{port}/{database}"
    finally:
        subprocess.run(
            _as_owner([str(binaries / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )
        shutil.rmtree(folder, ignore_errors=True)
