"""Django-only behaviour: settings, migrations, system checks, model loading, the admin."""

import os
import shutil
import socket
import sqlite3
import subprocess
import sys
from unittest import mock

import pytest

pytest.importorskip("django")

from django.core.management import call_command
from django.db import DatabaseError
from django.test import Client, override_settings

from django_app.predictions.models import INSERT_COLUMNS, Prediction, PredictionManager
from shared_model.artifact import manifest_path


def run_python(code, **env):
    """Run Python in a fresh process with these environment variables changed (None unsets)."""
    environ = {**os.environ, "DJANGO_SETTINGS_MODULE": "django_app.settings"}
    for key, value in env.items():
        if value is None:
            environ.pop(key, None)
        else:
            environ[key] = value
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=environ)


def test_the_system_check_is_clean():
    call_command("check", fail_level="WARNING")


def test_the_batch_insert_writes_every_column_a_new_prediction_has():
    columns = {field.attname for field in Prediction._meta.concrete_fields}
    feedback_columns = {"feedback_label", "feedback_correct", "feedback_at"}
    assert set(INSERT_COLUMNS) == columns - {"id"} - feedback_columns


@pytest.mark.django_db
def test_the_migrations_are_complete():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_production_settings_pass_the_deploy_check():
    result = run_python(
        "import django; django.setup()\n"
        "from django.core.management import call_command\n"
        "call_command('check', deploy=True, fail_level='WARNING')\n",
        APP_ENV="production",
        SECRET_KEY="kq3-example-only-not-a-real-secret-9f8e7d6c5b4a3210zyxwvut",
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (1 silenced)." in result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = run_python("import django; django.setup()", APP_ENV="production", SECRET_KEY=None)
    assert result.returncode == 1
    assert (
        result.stderr.strip()
        .splitlines()[-1]
        .startswith(
            "django.core.exceptions.ImproperlyConfigured: SECRET_KEY is not set; APP_ENV=production needs one"
        )
    )


def test_a_missing_model_stops_the_wsgi_app_with_the_command_that_fixes_it(tmp_path):
    missing = tmp_path / "none.joblib"
    result = run_python("import django_app.wsgi", MODEL_PATH=str(missing))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        f"shared_model.artifact.ModelNotFoundError: No model artifact at {missing}: "
        "run `python -m shared_model train` to create it."
    )


def tampered_copy(model_path, folder):
    tampered = folder / "model.joblib"
    tampered.write_bytes(model_path.read_bytes() + b"\0tampered")
    shutil.copy(manifest_path(model_path), manifest_path(tampered))
    return tampered


def test_a_tampered_model_stops_the_wsgi_app_before_it_is_unpickled(tmp_path, model_path):
    tampered = tampered_copy(model_path, tmp_path)
    result = run_python("import django_app.wsgi", MODEL_PATH=str(tampered))
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"shared_model.artifact.ModelIntegrityError: {tampered} does not match")
    assert "refusing to unpickle it" in last


def test_management_commands_need_no_model_and_no_scikit_learn(tmp_path):
    code = (
        "import sys, django; django.setup()\n"
        "from django.core.management import call_command\n"
        "call_command('migrate', verbosity=0)\n"
        "call_command('createsuperuser', '--noinput', username='admin', email='a@example.org')\n"
        "call_command('check')\n"
        "print('sklearn' in sys.modules, 'joblib' in sys.modules)\n"
    )
    result = run_python(
        code,
        MODEL_PATH=str(tmp_path / "none.joblib"),
        DATABASE_URL=f"sqlite:///{tmp_path}/var/django.sqlite3",
        DJANGO_SUPERUSER_PASSWORD="a-password-for-this-test-only",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == ["False", "False"]
    assert (tmp_path / "var" / "django.sqlite3").is_file()  # migrate made the folder


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("reload", [True, False], ids=["autoreload", "noreload"])
@pytest.mark.parametrize("problem", ["missing", "tampered"])
def test_runserver_refuses_to_start_with_one_line(tmp_path, model_path, problem, reload):
    path = tmp_path / "none.joblib" if problem == "missing" else tampered_copy(model_path, tmp_path)
    command = [sys.executable, "-m", "django", "runserver", f"127.0.0.1:{free_port()}"]
    environ = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "django_app.settings",
        "MODEL_PATH": str(path),
        "DATABASE_URL": f"sqlite:///{tmp_path}/django.sqlite3",
    }
    result = subprocess.run(
        command + ([] if reload else ["--noreload"]),
        capture_output=True,
        text=True,
        env=environ,
        timeout=60,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    [line] = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert line.startswith(
        f"Error: No model artifact at {path}"
        if problem == "missing"
        else f"Error: {path} does not match its manifest"
    )


def test_debug_comes_from_the_environment():
    code = "import django; django.setup()\nfrom django.conf import settings; print(settings.DEBUG)"
    assert run_python(code, DEBUG="1").stdout.strip() == "True"
    assert run_python(code, DEBUG=None).stdout.strip() == "False"
    assert run_python(code, DEBUG="0").stdout.strip() == "False"


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_with_debug_on_django_shows_its_technical_404():
    answer = Client(HTTP_HOST="localhost").get("/no/such/page")
    assert answer.status_code == 404
    assert b"Using the URLconf defined in" in answer.content


@pytest.mark.django_db
def test_a_get_only_page_checks_the_csrf_token_before_the_method():
    """docs/spec.md#81-differences-a-user-can-see: 403 without a token, 405 with a valid one."""
    client = Client(enforce_csrf_checks=True, HTTP_HOST="localhost")
    refused = client.post("/history")
    assert refused.status_code == 403
    assert b"Form expired" in refused.content
    token = client.get("/").cookies["csrftoken"].value
    answer = client.post("/history", {"csrfmiddlewaretoken": token})
    assert answer.status_code == 405
    assert answer["Allow"] == "GET, HEAD"
    assert Prediction.objects.count() == 0


@pytest.mark.django_db
def test_a_batch_is_stored_in_input_order_with_its_ids(model):
    rows = [{**model.manifest.examples[i % 3]["features"]} for i in range(250)]
    outcomes = model.predict_rows(rows)
    stored = Prediction.objects.create_predictions(outcomes, "csv", model)
    read = {row.pk: row for row in Prediction.objects.all()}
    assert [row.pk for row in stored] == sorted(read)
    for row, outcome in zip(stored, outcomes, strict=True):
        assert not row._state.adding
        assert (row.label, row.features) == (outcome.label, outcome.features)
        again = read[row.pk]
        assert (again.created_at, again.source, again.label, again.feedback_comment) == (
            row.created_at,
            "csv",
            outcome.label,
            "",
        )
        assert (again.features, again.probabilities) == (outcome.features, outcome.probabilities)


@pytest.mark.django_db(transaction=True)
def test_a_batch_that_fails_halfway_stores_nothing(model):
    outcomes = model.predict_rows([model.manifest.examples[0]["features"]] * 250)
    real = PredictionManager._insert_sql
    calls = []

    def failing_second_statement(self, connection, rows):
        calls.append(rows)
        return real(self, connection, rows) if len(calls) == 1 else "INSERT INTO nowhere"

    with (
        mock.patch.object(PredictionManager, "_insert_sql", failing_second_statement),
        pytest.raises(DatabaseError),
    ):
        Prediction.objects.create_predictions(outcomes, "api", model)
    assert calls == [100, 100]
    assert Prediction.objects.count() == 0


def test_migrate_creates_a_wal_sqlite_database(tmp_path):
    path = tmp_path / "django.sqlite3"
    result = subprocess.run(
        [sys.executable, "-m", "django", "migrate", "--settings=django_app.settings"],
        capture_output=True,
        text=True,
        env={**os.environ, "DATABASE_URL": f"sqlite:///{path}"},
    )
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert connection.execute("SELECT count(*) FROM predictions_prediction").fetchone()[0] == 0


def test_sqlite_connections_are_immediate_with_the_shared_settings(tmp_path):
    code = (
        "import django; django.setup()\n"
        "from django.conf import settings; from django.db import connection\n"
        "print(settings.DATABASES['default']['OPTIONS']['transaction_mode'])\n"
        "with connection.cursor() as cursor:\n"
        "    for name in ('journal_mode', 'synchronous', 'busy_timeout', 'mmap_size'):\n"
        "        cursor.execute(f'PRAGMA {name}'); print(cursor.fetchone()[0])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'django.sqlite3'}"},
    )
    assert result.stdout.split() == ["IMMEDIATE", "wal", "1", "10000", "268435456"], result.stderr


def test_a_database_without_its_table_answers_503_and_logs_the_fix(tmp_path):
    """/model counts every version's predictions, so it needs the table (an anonymous
    visitor's /history, empty without a visitor id, does not)."""
    code = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "client = Client(HTTP_HOST='localhost')\n"
        "print(client.get('/api/v1/health').status_code, client.get('/model').status_code)\n"
    )
    result = run_python(code, DATABASE_URL=f"sqlite:///{tmp_path}/empty.sqlite3")
    assert result.stdout.strip() == "503 503"
    assert (
        f"Database sqlite:///{tmp_path}/empty.sqlite3 is not usable (no such table: predictions_prediction): "
        "check that it runs, then run `django-admin migrate --settings=django_app.settings`."
    ) in result.stderr


@pytest.mark.django_db
def test_the_admin_lists_predictions_read_only_for_staff(admin_client, model):
    Prediction.objects.create_prediction(
        model.predict_one(model.manifest.examples[0]["features"]), "api", model
    )
    listing = admin_client.get("/admin/predictions/prediction/", HTTP_HOST="localhost")
    assert listing.status_code == 200
    assert b"setosa" in listing.content
    filtered = admin_client.get(
        "/admin/predictions/prediction/?source__exact=api", HTTP_HOST="localhost"
    )
    assert filtered.status_code == 200
    assert (
        admin_client.get("/admin/predictions/prediction/add/", HTTP_HOST="localhost").status_code
        == 403
    )


@pytest.mark.django_db
def test_the_admin_asks_anonymous_users_to_log_in(client):
    answer = client.get("/admin/predictions/prediction/", HTTP_HOST="localhost")
    assert answer.status_code == 302
    assert answer["Location"].startswith("/admin/login/")


def test_metrics_enabled_false_leaves_out_django_prometheus():
    result = run_python(
        "import django; django.setup()\n"
        "from django.conf import settings\n"
        "from django.urls import Resolver404, resolve\n"
        "from django_app.predictions.metrics import model_metrics\n"
        "assert 'django_prometheus' not in settings.INSTALLED_APPS\n"
        "assert not any('prometheus' in m for m in settings.MIDDLEWARE)\n"
        "assert not model_metrics.enabled\n"
        "try:\n    resolve('/metrics')\nexcept Resolver404:\n    print('no /metrics')\n",
        METRICS_ENABLED="false",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "no /metrics"
