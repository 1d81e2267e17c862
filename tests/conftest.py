"""Fixtures every part of the suite shares: one iris model, and a test client per web app.

The model is trained once, in `pytest_configure`, before any test module is imported and before
pytest-django sets Django up (its own `pytest_configure` runs last), so that `MODEL_PATH` is in
the environment whenever either app reads its settings.
"""

from __future__ import annotations

import importlib.util
import io
import os
import shutil
import tempfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from webclient import PASSWORD, Answer, Upload, WebClient

from shared_model.artifact import load_model, save
from shared_model.datasets import load_builtin
from shared_model.predictor import Predictor
from shared_model.training import train
from shared_web import telemetry

MODEL_DIR = pytest.StashKey[Path]()
# `nox -s postgres` runs the contract suite with DATABASE_URL on a throw-away PostgreSQL server.
_url = os.environ.get("DATABASE_URL", "")
POSTGRES_URL = _url if _url.startswith(("postgres://", "postgresql://")) else ""


def pytest_configure(config: pytest.Config) -> None:
    """Train the suite's model into a folder of its own and point both apps at it; set up
    tracing for the whole process, as the apps would.

    A pytest-xdist worker trains nothing: it inherits `MODEL_PATH` from the process that started
    it, which trained the model, and pytest-django may have read the settings with it already.
    """
    worker = getattr(config, "workerinput", None)
    if worker is None:
        folder = Path(tempfile.mkdtemp(prefix="test-model-"))
        config.stash[MODEL_DIR] = folder
        path = folder / "iris.joblib"
        save(train(load_builtin("iris")), path)
        os.environ["MODEL_PATH"] = str(path)
    else:
        folder = Path(os.environ["MODEL_PATH"]).parent
    os.environ.setdefault("SECRET_KEY", "test-only-secret-key")
    # The recent spans go beside the model, never into the checkout's var/; each worker's apart.
    spans = f"recent-spans-{worker['workerid']}.sqlite3" if worker else "recent-spans.sqlite3"
    os.environ["RECENT_SPANS_PATH"] = str(folder / spans)
    # A process has one tracer provider (shared_web/telemetry.py), set by the first app built;
    # the suite sets it first, in development as the apps run here, so that whichever test runs
    # first (one building an app in production, say) every app finds the same one.
    telemetry.configure("tests", development=True)
    if importlib.util.find_spec("django"):
        # Read the settings now, with MODEL_PATH set; pytest-django then sets Django up.
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "django_app.settings")
        from django.conf import settings

        from django_app.telemetry import instrument

        # A fast hasher, as Django's testing docs advise: the suite signs up hundreds of accounts.
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
        # What django_app/wsgi.py does before building the WSGI app; Django's test client builds
        # a handler of its own.
        instrument()


SHARED_BY_THE_FOLDER = {"deploy", "browser"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Where pytest-xdist runs the tests on several workers (the nox sessions: `--dist
    loadgroup`), each module's tests run on one, so that a server its fixtures start starts once;
    and tests/deploy's and tests/browser's all on one, whose stacks and browser are fixtures of
    the whole session."""
    for item in items:
        folder = item.path.parent.name
        group = folder if folder in SHARED_BY_THE_FOLDER else item.nodeid.partition("::")[0]
        item.add_marker(pytest.mark.xdist_group(group))


def pytest_unconfigure(config: pytest.Config) -> None:
    if MODEL_DIR in config.stash:
        shutil.rmtree(config.stash[MODEL_DIR], ignore_errors=True)


@pytest.fixture(scope="session")
def _span_recorder() -> Any:
    """A processor on the process's tracer provider that hands the spans to the SDK's in-memory
    exporter while a test records them, and drops the others (a provider keeps its processors
    for good, and the suite ends hundreds of thousands of spans)."""
    from opentelemetry import trace
    from opentelemetry.sdk.trace import ReadableSpan
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    class Recorder(SimpleSpanProcessor):
        recording = False

        def on_end(self, span: ReadableSpan) -> None:
            if self.recording:
                super().on_end(span)

    recorder = Recorder(InMemorySpanExporter())
    trace.get_tracer_provider().add_span_processor(recorder)
    return recorder


@pytest.fixture
def spans(_span_recorder: Any) -> Iterator[Any]:
    """The spans the test ends, in the order they end: `spans.get_finished_spans()`."""
    exporter = _span_recorder.span_exporter
    exporter.clear()
    _span_recorder.recording = True
    yield exporter
    _span_recorder.recording = False
    exporter.clear()


@pytest.fixture(scope="session")
def model_path() -> Path:
    return Path(os.environ["MODEL_PATH"])


@pytest.fixture(scope="session")
def model(model_path: Path) -> Predictor:
    return load_model(model_path)


@pytest.fixture(scope="session")
def second_model_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Iris again with another seed: what a retraining makes, the same features in another
    version (docs/spec.md#104-a-new-model-without-downtime)."""
    path = tmp_path_factory.mktemp("second-model") / "model.joblib"
    save(train(load_builtin("iris"), seed=7), path)
    return path


@pytest.fixture
def valid_features(model: Predictor) -> dict[str, float]:
    """A real setosa row from the training data (a fresh copy for each test to change)."""
    return dict(model.manifest.examples[0]["features"])


# Flask: a migrated SQLite file made once, copied for each test.

# A fast hash method (Werkzeug's default is scrypt): the suite signs up hundreds of accounts.
FLASK_TEST_CONFIG = {"PASSWORD_HASH_METHOD": "pbkdf2:sha256:1"}


@pytest.fixture(scope="session")
def flask_migrated_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("flask")
    from flask_migrate import upgrade

    from flask_app import create_app
    from flask_app.extensions import db

    path = tmp_path_factory.mktemp("flask") / "template.sqlite3"
    app = create_app({**FLASK_TEST_CONFIG, "DATABASE_URL": f"sqlite:///{path}"})
    with app.app_context():
        upgrade()
        db.engine.dispose()  # the last connection to close folds the WAL file into the database
    return path


@pytest.fixture(scope="session")
def flask_postgres_url() -> str:
    """On PostgreSQL (`nox -s postgres`): DATABASE_URL, with the schema migrated once."""
    from flask_migrate import upgrade

    from flask_app import create_app
    from flask_app.extensions import db

    app = create_app({**FLASK_TEST_CONFIG, "DATABASE_URL": POSTGRES_URL})
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return POSTGRES_URL


@pytest.fixture
def flask_app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """The Flask app on an empty database: a copy of a migrated SQLite file, or, on PostgreSQL,
    the migrated database emptied with its ids restarted."""
    from sqlalchemy import text

    from flask_app import create_app
    from flask_app.extensions import db

    if POSTGRES_URL:
        url = request.getfixturevalue("flask_postgres_url")
        app = create_app({**FLASK_TEST_CONFIG, "DATABASE_URL": url})
        with app.app_context():
            quote = db.engine.dialect.identifier_preparer.quote
            tables = ", ".join(quote(table.name) for table in db.metadata.sorted_tables)
            db.session.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            db.session.commit()
    else:
        path = tmp_path / "flask.sqlite3"
        shutil.copy(request.getfixturevalue("flask_migrated_db"), path)
        app = create_app({**FLASK_TEST_CONFIG, "DATABASE_URL": f"sqlite:///{path}"})
    yield app
    with app.app_context():
        db.engine.dispose()


class FlaskWebClient(WebClient):
    def _client(self) -> Any:
        client = self.extra.get("client")
        if client is None:
            client = self.extra["client"] = self.extra["app"].test_client()
            client.environ_base["REMOTE_ADDR"] = self.address
        return client

    def request(
        self, method, url, *, body=None, content_type=None, form=None, headers=None
    ) -> Answer:
        client = self._client()
        assert url.startswith(self.prefix), url
        kwargs: dict[str, Any] = {"method": method, "headers": headers or {}}
        if self.prefix:
            kwargs["base_url"] = f"http://localhost{self.prefix}/"
        if form is not None:
            kwargs["data"] = {
                k: (io.BytesIO(v.content), v.filename, v.content_type)
                if isinstance(v, Upload)
                else v
                for k, v in form.items()
            }
        elif body is not None:
            kwargs["data"] = body
            if content_type is not None:
                kwargs["content_type"] = content_type
        response = client.open(url[len(self.prefix) :] or "/", **kwargs)
        return Answer(response.status_code, list(response.headers.items()), response.get_data())

    def count(self) -> int:
        from sqlalchemy import func, select

        from flask_app.extensions import db
        from flask_app.models import Prediction

        with self.extra["app"].app_context():
            return db.session.scalar(select(func.count()).select_from(Prediction))

    def _cookie_place(self) -> tuple[str, str]:
        app = self.extra["app"]
        return app.config["SESSION_COOKIE_NAME"], app.session_interface.get_cookie_path(app)

    def session_cookie(self) -> str | None:
        name, path = self._cookie_place()
        cookie = self._client().get_cookie(name, path=path)
        return cookie.value if cookie is not None and cookie.value else None

    def set_session_cookie(self, value: str) -> None:
        name, path = self._cookie_place()
        self._client().set_cookie(name, value, path=path)

    def make_staff(self, username: str, password: str = PASSWORD) -> None:
        """`flask --app flask_app create-staff USERNAME`, the password typed twice."""
        runner = self.extra["app"].test_cli_runner()
        result = runner.invoke(args=["create-staff", username], input=f"{password}\n{password}\n")
        assert result.exit_code == 0, result.output

    def configure(self, **settings: Any) -> None:
        """A new app on the same database, built by `create_app` with these config keys; this
        browser goes on with it, and so do the `fresh()` ones made from now on."""
        from flask_app import create_app

        url = self.extra["app"].config["DATABASE_URL"]
        app = create_app({**FLASK_TEST_CONFIG, "DATABASE_URL": url, **settings})
        self.extra["apps"].append(app)
        self.extra["app"] = app
        if "client" in self.extra:
            self.extra["client"].application = app  # the same browser, cookies and all

    def database_dump(self) -> str:
        from sqlalchemy import MetaData, select

        from flask_app.extensions import db

        lines = []
        with self.extra["app"].app_context():
            metadata = MetaData()
            metadata.reflect(bind=db.engine)  # the tables as they are, not as the models say
            with db.engine.connect() as connection:
                for table in metadata.sorted_tables:
                    for row in connection.execute(select(table)):
                        lines.append("\t".join([table.name, *(str(v) for v in row)]))
        return "\n".join(lines)

    def pass_time(self, delta: timedelta) -> None:
        from sqlalchemy import select, update

        from flask_app.extensions import db

        with self.extra["app"].app_context(), db.engine.begin() as connection:
            for name, column in FLASK_EXPIRING:
                table = db.metadata.tables[name]
                [key] = table.primary_key.columns
                for row in connection.execute(select(key, table.c[column])).all():
                    if row[1] is not None:
                        connection.execute(
                            update(table).where(key == row[0]).values({column: row[1] - delta})
                        )

    def set_model_version(self, ids: list[int], version: str) -> None:
        from sqlalchemy import update

        from flask_app.extensions import db
        from flask_app.models import Prediction

        with self.extra["app"].app_context():
            chosen = update(Prediction).where(Prediction.id.in_(ids))
            db.session.execute(chosen.values(model_version=version))
            db.session.commit()


FLASK_EXPIRING = [
    ("session", "expires_at"),
    ("rate_limit", "window_start"),
    ("api_token", "last_used_at"),
]


@pytest.fixture
def flask_client(flask_app: Any) -> Iterator[WebClient]:
    apps: list[Any] = []
    yield FlaskWebClient("flask", extra={"app": flask_app, "apps": apps})
    _dispose(apps)


@pytest.fixture
def flask_mounted_client(flask_app: Any) -> Iterator[WebClient]:
    apps: list[Any] = []
    yield FlaskWebClient("flask", prefix="/flask", extra={"app": flask_app, "apps": apps})
    _dispose(apps)


def _dispose(apps: list[Any]) -> None:
    """Close the connections of the apps `configure` made."""
    from flask_app.extensions import db

    for app in apps:
        with app.app_context():
            db.engine.dispose()


# Django: pytest-django's test database, rolled back after each test.


class DjangoWebClient(WebClient):
    stores_session_ids_in_clear = True
    session_cookie_name = "sessionid"

    def _client(self) -> Any:
        from django.test import Client

        client = self.extra.get("client")
        if client is None:
            client = self.extra["client"] = Client(
                enforce_csrf_checks=True,
                raise_request_exception=False,
                HTTP_HOST="localhost",
                SCRIPT_NAME=self.prefix,
                REMOTE_ADDR=self.address,
            )
        return client

    def request(
        self, method, url, *, body=None, content_type=None, form=None, headers=None
    ) -> Answer:
        from django.core.files.uploadedfile import SimpleUploadedFile
        from django.urls import set_script_prefix
        from django.utils.http import urlencode

        client = self._client()
        assert url.startswith(self.prefix), url
        path = url[len(self.prefix) :] or "/"
        set_script_prefix(self.prefix + "/")  # what Django's WSGIHandler does with SCRIPT_NAME
        try:
            if form is not None:
                data = {
                    k: SimpleUploadedFile(v.filename, v.content, v.content_type)
                    if isinstance(v, Upload)
                    else v
                    for k, v in form.items()
                }
                if method == "POST":
                    response = client.post(path, data, headers=headers)
                else:  # a form sent with another method, as a script might
                    response = client.generic(
                        method,
                        path,
                        urlencode(data),
                        content_type="application/x-www-form-urlencoded",
                        headers=headers,
                    )
            elif body is not None:
                environ = {"CONTENT_TYPE": content_type} if content_type else {}  # even for b""
                response = client.generic(
                    method, path, body, content_type=content_type or "", headers=headers, **environ
                )
            else:
                response = client.generic(method, path, headers=headers)
            content = (
                b"".join(response.streaming_content) if response.streaming else response.content
            )
        finally:
            set_script_prefix("/")
        cookies = [("Set-Cookie", c.output(header="").strip()) for c in response.cookies.values()]
        return Answer(response.status_code, [*response.headers.items(), *cookies], content)

    def count(self) -> int:
        from django_app.predictions.models import Prediction

        return Prediction.objects.count()

    def session_cookie(self) -> str | None:
        from django.conf import settings

        morsel = self._client().cookies.get(settings.SESSION_COOKIE_NAME)
        return morsel.value if morsel is not None and morsel.value else None

    def set_session_cookie(self, value: str) -> None:
        from django.conf import settings

        self._client().cookies[settings.SESSION_COOKIE_NAME] = value

    def make_staff(self, username: str, password: str = PASSWORD) -> None:
        """What `django-admin createsuperuser` makes."""
        from django.contrib.auth import get_user_model

        get_user_model().objects.create_superuser(username, password=password)

    def configure(self, **settings: Any) -> None:
        """pytest-django's `settings` fixture: back as they were after the test."""
        for name, value in settings.items():
            setattr(self.extra["settings"], name, value)

    def database_dump(self) -> str:
        from django.db import connection

        lines = []
        with connection.cursor() as cursor:
            for table in connection.introspection.table_names():
                cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
                lines.extend("\t".join([table, *(str(v) for v in row)]) for row in cursor)
        return "\n".join(lines)

    def pass_time(self, delta: timedelta) -> None:
        from django.apps import apps
        from django.db.models import F

        for model in apps.get_models():
            for field in DJANGO_EXPIRING.get(model._meta.db_table, ()):
                model.objects.update(**{field: F(field) - delta})

    def set_model_version(self, ids: list[int], version: str) -> None:
        from django_app.predictions.models import Prediction

        Prediction.objects.filter(id__in=ids).update(model_version=version)


DJANGO_EXPIRING = {
    "django_session": ["expire_date"],
    "accounts_ratelimit": ["window_start"],
    "accounts_apitoken": ["last_used_at"],
}


@pytest.fixture
def django_client(settings: Any) -> WebClient:
    """Needs the test database: mark the test `django_db` (the contract suite's params do)."""
    return DjangoWebClient("django", extra={"settings": settings})


@pytest.fixture
def django_mounted_client(settings: Any) -> WebClient:
    return DjangoWebClient("django", prefix="/django", extra={"settings": settings})
