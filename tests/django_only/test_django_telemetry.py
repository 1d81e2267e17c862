"""Django-only checks of tracing and request ids (docs/spec.md#102-request-ids, #103-traces)."""

import os
import subprocess
import sys

import pytest

pytest.importorskip("django")

from shared_web import telemetry


def test_a_log_line_written_during_a_request_ends_with_its_id(tmp_path):
    """On a database without its table, /model logs the app's line (docs/spec.md#54) and
    Django's for the 503, which Django writes once the middleware has returned the answer;
    both go to standard error through the console handler of settings.LOGGING."""
    code = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "Client(HTTP_HOST='localhost').get('/model', headers={'X-Request-ID': 'req-7'})\n"
    )
    environ = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "django_app.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path}/empty.sqlite3",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=environ, check=True
    )
    assert result.stderr.splitlines() == [
        f"Database sqlite:///{tmp_path}/empty.sqlite3 is not usable (no such table: "
        "predictions_prediction): check that it runs, then run `django-admin migrate "
        "--settings=django_app.settings`. request_id=req-7",
        "Service Unavailable: /model request_id=req-7",
    ]


def test_the_recent_spans_are_read_without_making_spans(spans, tmp_path):
    """The sqlite3 instrumentation traces every connection `sqlite3.connect` makes in this
    process (Django's database is SQLite here); the recent spans use connections it does not
    wrap, or each look at them would add spans of its own."""
    telemetry.recent_spans(tmp_path / "recent-spans.sqlite3")
    assert spans.get_finished_spans() == ()
