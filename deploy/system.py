"""What the stack needs from the operating system, checked with the standard library only (so
that nox can check it before it installs anything)."""

from __future__ import annotations

import shutil
from pathlib import Path

from .postgres import find_binaries

WEB_SERVERS = ("nginx", "apache")
MISSING_HINT = (
    "install Debian's postgresql and openssl packages, and nginx or apache2 with "
    "libapache2-mod-wsgi-py3 for the web server (`sudo apt-get install postgresql openssl nginx "
    "apache2 libapache2-mod-wsgi-py3`)"
)
MOD_WSGI = Path("/usr/lib/apache2/modules/mod_wsgi.so")  # Debian's libapache2-mod-wsgi-py3


def _found(tool: str) -> bool:
    return shutil.which(tool) is not None or Path(f"/usr/sbin/{tool}").exists()


def missing_tools(web_server: str = "nginx") -> list[str]:
    """What this machine lacks for the stack with this web server (WEB_SERVERS)."""
    needed = ["openssl", "nginx"] if web_server == "nginx" else ["openssl", "apache2"]
    missing = [tool for tool in needed if not _found(tool)]
    if web_server == "apache" and not (MOD_WSGI.exists() and Path("/usr/bin/python3").exists()):
        missing.append("libapache2-mod-wsgi-py3")
    return [*missing, *([] if find_binaries() else ["postgresql"])]
