"""docs/spec.md#1-entry-points-and-configuration, #65-mounted-under-a-prefix, #96-limits and
#102-request-ids, #103-traces under gunicorn: concurrent writers on SQLite, the failed log-ins of
all workers counted together, mounting, refusing to start, the recent spans of every worker in
one file, the request id in the access log."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from http_client import PASSWORD, Browserish
from prometheus_client.parser import text_string_to_metric_families
from served_apps import Server, start, wait_until_up
from waiting import STARTUP_SECONDS, output_of, wait_until

from shared_model.artifact import manifest_path

SETOSA = {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}
BEHIND_TLS = {"X-Forwarded-Proto": "https"}
SERVICE = {"flask": "flask-app", "django": "django-app"}


def stored(served: Server, staff: str) -> int:
    """Every prediction stored so far (a staff account sees them all)."""
    status, body = served.request("GET", "/api/v1/predictions?limit=1", token=staff)
    assert status == 200, body
    return int(json.loads(body)["count"])


def test_concurrent_writers_on_sqlite_lose_no_row(served: Server, staff: str):
    def post(_: int) -> int:
        return served.request("POST", "/api/v1/predict", {"features": SETOSA})[0]

    before = stored(served, staff)
    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(post, range(240)))
    assert statuses.count(201) == 240, sorted(set(statuses))
    assert stored(served, staff) - before == 240
    assert "database is locked" not in served.log.read_text()


def test_concurrent_batches_are_all_stored(served: Server, staff: str):
    def post(_: int) -> int:
        return served.request("POST", "/api/v1/predict/batch", {"instances": [SETOSA] * 100})[0]

    before = stored(served, staff)
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(post, range(24)))
    assert statuses == [201] * 24
    assert stored(served, staff) - before == 2400


def predictions_counted(served: Server) -> float:
    """`model_predictions_total` of the API's predictions, as one scrape of `/metrics` adds up
    every worker's values (docs/spec.md#101-metrics)."""
    with urllib.request.urlopen(served.url + "/metrics", timeout=30) as answer:
        text = answer.read().decode()
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "model_predictions_total" and sample.labels["source"] == "api"
    )


def worker_pids(served: Server) -> list[int]:
    pid = served.process.pid
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def test_every_scrape_counts_the_predictions_of_all_workers(served: Server):
    def post(_: int) -> int:
        return served.request("POST", "/api/v1/predict", {"features": SETOSA})[0]

    before = predictions_counted(served)
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(post, range(40))) == [201] * 40
    # Each scrape is a new connection, answered by whichever worker takes it.
    assert [predictions_counted(served) - before for _ in range(8)] == [40] * 8


def test_the_counts_survive_a_worker_that_exits(served: Server):
    before = predictions_counted(served)
    assert served.request("POST", "/api/v1/predict", {"features": SETOSA})[0] == 201
    workers = worker_pids(served)
    os.kill(workers[0], signal.SIGTERM)  # gunicorn starts another in its place
    wait_until(
        lambda: len(set(worker_pids(served)) - set(workers)) == 1,
        served.process,
        output_of(served.log),
        "a new worker",
    )
    assert predictions_counted(served) - before == 1


def log_in_as_ann(server: Server, password: str, **headers: str) -> tuple[int, str | None]:
    """One log-in as `ann` from a new browser (so a new connection, maybe another worker)."""
    values = {"username": "ann", "password": password}
    reply = Browserish().submit(f"{server.url}/accounts/login", "login-form", values, **headers)
    return reply.status, reply.headers.get("Retry-After")


def test_the_sixth_log_in_is_refused_whichever_worker_answers_and_whatever_it_forges(
    served: Server,
):
    """The failures are counted in the database, so all 4 workers see them all (counts per
    process would allow 20). Each attempt claims another address in X-Forwarded-For, which the
    app ignores with no proxy in front (TRUSTED_PROXY_HOPS=0, the development default). No
    password reaches the log."""
    Browserish().sign_up(served.url, "ann")
    failures = [
        log_in_as_ann(served, f"wrong password {n}", **{"X-Forwarded-For": f"203.0.113.{n}"})
        for n in range(5)
    ]
    assert failures == [(400, None)] * 5
    status, retry_after = log_in_as_ann(served, PASSWORD)
    assert status == 429
    assert retry_after is not None and 1 <= int(retry_after) <= 900
    log = served.log.read_text()
    assert PASSWORD not in log
    assert "wrong password" not in log


def test_mounted_under_a_prefix_every_link_and_static_file_keeps_it(framework, tmp_path):
    prefix = f"/{framework}"
    process, log, port = start(framework, tmp_path, SCRIPT_NAME=prefix)
    url = f"http://127.0.0.1:{port}{prefix}"
    try:
        wait_until_up(process, url, log)
        with urllib.request.urlopen(url + "/") as response:
            page = response.read().decode()
        assert f'href="{prefix}/static/style.css"' in page
        assert f'action="{prefix}/predict"' in page
        with urllib.request.urlopen(url + "/static/style.css") as response:
            assert response.status == 200
            assert b"--brand" in response.read()
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_production_without_a_secret_key_stops_gunicorn(framework, tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    process, log, _ = start(framework, tmp_path, migrate=False, APP_ENV="production")
    try:
        returncode = process.wait(timeout=STARTUP_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        raise AssertionError(f"gunicorn kept running:\n{log.read_text()}") from None
    output = log.read_text()
    assert returncode != 0
    assert "SECRET_KEY is not set; APP_ENV=production needs one" in output
    assert "Worker failed to boot" in output


@pytest.fixture(scope="module")
def production(framework: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One gunicorn per app in production, behind a TLS proxy that says so in
    X-Forwarded-Proto, for the module's tests."""
    secret = "s" * 20 + "ecret-key-for-this-test-only-0123456789"
    folder = tmp_path_factory.mktemp(f"{framework}-production")
    process, log, port = start(framework, folder, APP_ENV="production", SECRET_KEY=secret)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(process, url, log, headers=BEHIND_TLS)
        yield Server(url, process, log)
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_production_behind_a_tls_proxy_redirects_http_and_sends_hsts(production: Server):
    url = production.url
    plain = urllib.request.Request(url + "/history?page=1")
    opener = urllib.request.build_opener(NoRedirect)
    try:
        opener.open(plain)
        raise AssertionError("plain HTTP was not redirected")
    except urllib.error.HTTPError as answer:
        assert answer.code == 301
        assert answer.headers["Location"] == url.replace("http:", "https:") + "/history?page=1"
    secure = urllib.request.Request(url + "/api/v1/health", headers=BEHIND_TLS)
    with opener.open(secure) as answer:
        assert answer.status == 200
        assert (
            answer.headers["Strict-Transport-Security"]
            == "max-age=31536000; includeSubDomains; preload"
        )
        assert answer.headers["Content-Security-Policy"].startswith("default-src 'self'")
    with opener.open(urllib.request.Request(url + "/", headers=BEHIND_TLS)) as answer:
        cookie = answer.headers["Set-Cookie"]
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_in_production_prometheus_scrapes_over_plain_http(production: Server):
    """The app server itself, not through the proxy: no redirect (docs/spec.md#101-metrics)."""
    opener = urllib.request.build_opener(NoRedirect)
    with opener.open(urllib.request.Request(production.url + "/metrics")) as answer:
        assert answer.status == 200


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_a_tampered_model_stops_gunicorn_before_it_is_unpickled(framework, tmp_path, model_path):
    tampered = tmp_path / "model.joblib"
    tampered.write_bytes(model_path.read_bytes() + b"\0tampered")
    shutil.copy(manifest_path(model_path), manifest_path(tampered))
    process, log, _ = start(framework, tmp_path, migrate=False, MODEL_PATH=str(tampered))
    try:
        returncode = process.wait(timeout=STARTUP_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        raise AssertionError(f"gunicorn kept running:\n{log.read_text()}") from None
    output = log.read_text()
    assert returncode != 0
    assert f"{tampered} does not match its manifest" in output
    assert "refusing to unpickle it" in output


def test_log_ins_sent_at_once_get_five_guesses_in_all(served: Server):
    """Each attempt is counted before its password is checked, in one atomic UPDATE, so that
    ten attempts in flight at once on 4 workers still reach the password check 5 times."""
    Browserish().sign_up(served.url, "bob")

    def attempt(n: int) -> int:
        values = {"username": "bob", "password": f"guess {n}"}
        return Browserish().submit(f"{served.url}/accounts/login", "login-form", values).status

    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = sorted(pool.map(attempt, range(10)))
    assert statuses == [400] * 5 + [429] * 5


def recent_trace_ids(server: Server) -> set[str]:
    status, body = server.request("GET", "/_dev/spans")
    assert status == 200, body
    return {span["trace_id"] for span in json.loads(body)["spans"] if span["kind"] == "SERVER"}


def test_every_worker_shows_the_recent_spans_of_all(served: Server):
    """Twenty predictions at once, so that several workers answer them, each joining a trace
    of its own; then /_dev/spans, asked eight times at once (so by several workers too), shows
    all twenty every time."""
    trace_ids = [secrets.token_hex(16) for _ in range(20)]

    def predict(trace_id: str) -> int:
        traceparent = {"traceparent": f"00-{trace_id}-{secrets.token_hex(8)}-01"}
        payload = {"features": SETOSA}
        return served.request("POST", "/api/v1/predict", payload, headers=traceparent)[0]

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(predict, trace_ids)) == [201] * 20
        seen = list(pool.map(lambda _: recent_trace_ids(served), range(8)))
    assert all(set(trace_ids) <= trace_ids_seen for trace_ids_seen in seen)


def test_the_spans_name_the_app_s_service(served: Server, framework: str):
    served.request("GET", "/api/v1/health")
    _, body = served.request("GET", "/_dev/spans")
    assert {span["service"] for span in json.loads(body)["spans"]} == {SERVICE[framework]}


def test_the_access_log_line_ends_with_the_id_the_app_answered(served: Server):
    _, headers, _ = served.answer("GET", "/api/v1/model")
    ending = f" request_id={headers['X-Request-ID']}"

    def logged() -> list[str]:  # gunicorn writes the line once the answer is sent
        return [line for line in served.log.read_text().splitlines() if line.endswith(ending)]

    wait_until(lambda: bool(logged()), served.process, output_of(served.log), "the access log")
    [line] = logged()
    assert '"GET /api/v1/model HTTP/1.1" 200 ' in line


def test_in_production_the_recent_spans_are_an_unknown_page(production: Server):
    unknown = production.request("GET", "/no/such/page", headers=BEHIND_TLS)
    assert unknown[0] == 404
    assert production.request("GET", "/_dev/spans", headers=BEHIND_TLS) == unknown
