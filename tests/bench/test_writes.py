"""The write benchmark runs end to end: every way stores its rows and gets their ids back
(benchmarks/writes.py checks both after every run), with the apps' current models and settings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("flask")
pytest.importorskip("django")

ROOT = Path(__file__).resolve().parents[2]
QUICK = ("--runs", "1", "--min-time", "0", "--sizes", "1", "3")  # one call of each way and size


def test_every_way_writes_and_the_table_names_them():
    environ = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    finished = subprocess.run(
        [sys.executable, "-m", "benchmarks.writes", *QUICK],
        cwd=ROOT,
        env={**environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert finished.returncode == 0, finished.stderr
    table = [line for line in finished.stdout.splitlines() if line.startswith("| (")]
    assert [line.split()[1] for line in table] == [
        *["(a)", "(b)", "(b)", "(b)", "(c)", "(c)", "(c)"],
        *["(d)", "(e)", "(f)"],
    ]
    inserts = [line.rstrip(" |").rsplit("|", 1)[1].split(" / ") for line in table]
    assert all(len(counts) == 2 and all(c.strip().isdigit() for c in counts) for counts in inserts)
