"""Flask-only checks of tracing and request ids (docs/spec.md#102-request-ids, #103-traces)."""

import io
import re

import pytest

pytest.importorskip("flask")

from flask import current_app
from flask.logging import default_handler


@pytest.fixture
def flask_logs(flask_app):
    """The app's log lines as a server shows them: through Flask's default handler, which
    `app.logger` gets when nothing else handles its records (under gunicorn; here pytest's own
    handler would keep Flask from adding it)."""
    flask_app.logger.addHandler(default_handler)
    yield flask_app
    flask_app.logger.removeHandler(default_handler)


def test_a_log_line_written_during_a_request_ends_with_its_id(flask_logs):
    @flask_logs.get("/log-something")
    def log_something() -> str:
        current_app.logger.warning("something happened")
        return ""

    errors = io.StringIO()  # the server's error stream, where Flask's handler writes
    flask_logs.test_client().get(
        "/log-something",
        headers={"X-Request-ID": "req-7"},
        environ_overrides={"wsgi.errors": errors},
    )
    assert re.fullmatch(
        r"\[[^]]+\] WARNING in test_flask_telemetry: something happened request_id=req-7\n",
        errors.getvalue(),
    )


def test_every_app_s_database_is_traced_not_only_the_first_s(flask_app, spans):
    """The SQLAlchemy instrumentation instruments once per process: the apps built after the
    first (the suite's migrated database was the first) are traced because it wraps
    `create_engine`."""
    flask_app.test_client().get("/api/v1/health")  # a SELECT
    scopes = {span.instrumentation_scope.name for span in spans.get_finished_spans()}
    assert "opentelemetry.instrumentation.sqlalchemy" in scopes
