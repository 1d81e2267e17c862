"""What the stack needs from the operating system, checked with the standard library only (so
that nox can check it before it installs anything)."""

from __future__ import annotations

import shutil
from pathlib import Path

from .postgres import find_binaries

MISSING_HINT = "install Debian's nginx, postgresql and openssl packages (`sudo apt-get install nginx postgresql openssl`)"


def missing_tools() -> list[str]:
    missing = [
        tool
        for tool in ("nginx", "openssl")
        if shutil.which(tool) is None and not Path(f"/usr/sbin/{tool}").exists()
    ]
    return [*missing, *([] if find_binaries() else ["postgresql"])]
