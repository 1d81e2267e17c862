"""Django-only behaviour: settings, migrations, system checks, the admin."""

import os
import sqlite3
import subprocess
import sys

import pytest

pytest.importorskip("django")

from django.core.management import call_command

from django_app.predictions.models import Prediction


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


def test_a_missing_model_stops_the_app_with_the_command_that_fixes_it(tmp_path):
    missing = tmp_path / "none.joblib"
    result = run_python("import django; django.setup()", MODEL_PATH=str(missing))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        f"shared_model.artifact.ModelNotFoundError: No model artifact at {missing}: "
        "run `python -m shared_model train` to create it."
    )


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
    code = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "client = Client(HTTP_HOST='localhost')\n"
        "print(client.get('/api/v1/health').status_code, client.get('/history').status_code)\n"
    )
    result = run_python(code, DATABASE_URL=f"sqlite:///{tmp_path}/empty.sqlite3")
    assert result.stdout.strip() == "503 503"
    assert (
        f"Database sqlite:///{tmp_path}/empty.sqlite3 is not usable (no such table: predictions_prediction): "
        "check that it runs, then run `django-admin migrate --settings=django_app.settings`."
    ) in result.stderr


@pytest.mark.django_db
def test_the_admin_lists_predictions_read_only_for_staff(admin_client, model):
    Prediction.objects.store(
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
