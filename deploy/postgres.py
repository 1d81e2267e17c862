"""A throw-away PostgreSQL server: a new cluster in a temporary folder, on 127.0.0.1, trust auth.

    with throwaway_cluster() as cluster:   # cluster.url: postgresql://postgres@127.0.0.1:PORT/app
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
from dataclasses import dataclass
from pathlib import Path

STARTUP_SECONDS = 180  # generous for a busy machine; pg_ctl -w returns as soon as it is up
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


@dataclass
class Cluster:
    """A running throw-away server: its URL, and stop/start for fault tests."""

    url: str
    binaries: Path
    data: Path
    options: str
    log: Path

    def _pg_ctl(self, *args: str) -> None:
        command = [str(self.binaries / "pg_ctl"), "-D", str(self.data), *args]
        subprocess.run(
            _as_owner(command), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=True
        )

    def start(self) -> None:
        """Start the server and wait until it accepts connections (generously, for a busy
        machine: pg_ctl's own default is 60 s); if it does not, fail with its log."""
        try:
            self._pg_ctl(
                "-o", self.options, "-l", str(self.log), "-w", "-t", str(STARTUP_SECONDS), "start"
            )
        except subprocess.CalledProcessError as error:
            log = self.log.read_text(errors="replace")[-10_000:] if self.log.exists() else ""
            raise RuntimeError(
                f"PostgreSQL did not start:\n{error.stderr.decode(errors='replace')}{log}"
            ) from None

    def stop(self) -> None:
        self._pg_ctl("-m", "fast", "-w", "stop")


@contextlib.contextmanager
def throwaway_cluster(database: str = "app") -> Iterator[Cluster]:
    """Start a new cluster, create `database`, yield it, and remove it all afterwards."""
    binaries = find_binaries()
    if binaries is None:
        raise RuntimeError(f"No PostgreSQL server found: {INSTALL_HINT}.")
    folder = Path(tempfile.mkdtemp(prefix="pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    port = _free_port()
    options = f"-h 127.0.0.1 -p {port} -k {folder} -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    cluster = Cluster(
        f"postgresql://postgres@127.0.0.1:{port}/{database}",
        binaries,
        folder / "data",
        options,
        folder / "log",
    )
    initdb = [
        str(binaries / "initdb"),
        "-D",
        str(cluster.data),
        "-U",
        "postgres",
        "-A",
        "trust",
        "-E",
        "UTF8",
    ]
    subprocess.run(_as_owner(initdb), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=True)
    cluster.start()
    try:
        createdb = [
            str(binaries / "createdb"),
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            "-U",
            "postgres",
            database,
        ]
        subprocess.run(
            _as_owner(createdb), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=True
        )
        yield cluster
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)
