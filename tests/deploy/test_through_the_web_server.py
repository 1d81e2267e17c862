"""Smoke tests of the deployed stack, end to end through its web server (nginx, or Apache with
mod_wsgi: the `stack` fixture runs each) over HTTPS."""

from __future__ import annotations

import os
import pwd
import re
from collections import Counter
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from prometheus_client.parser import text_string_to_metric_families
from waiting import output_of, wait_until
from web import Browserish

from deploy.stack import GUNICORN_WORKERS
from shared_web.headers import SECURITY_HEADERS

SETOSA = {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}


def test_plain_http_is_redirected_to_https(stack):
    reply = Browserish().get(f"{stack.http_url}/flask/history?page=1")
    assert reply.status == 301
    assert reply.headers["Location"] == f"{stack.url}/flask/history?page=1"


def test_pages_come_through_the_web_server_with_links_inside_their_prefix(stack, app):
    reply = Browserish().get(f"{stack.url}/{app}/")
    assert reply.status == 200
    page = BeautifulSoup(reply.body, "html.parser")
    assert page.select_one('link[rel="stylesheet"]')["href"] == f"/{app}/static/style.css"
    assert page.select_one('form[data-testid="prediction-form"]')["action"] == f"/{app}/predict"
    assert reply.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert all(reply.headers[name] == value for name, value in SECURITY_HEADERS.items())


def test_static_files_are_served_by_the_web_server_not_by_the_app(stack, app):
    reply = Browserish().get(f"{stack.url}/{app}/static/style.css", **{"Accept-Encoding": "gzip"})
    assert reply.status == 200
    assert reply.headers["Content-Type"] == "text/css"
    assert reply.headers["Content-Encoding"] == "gzip"
    assert b"--brand" in reply.body
    assert reply.headers["Content-Security-Policy"] == SECURITY_HEADERS["Content-Security-Policy"]
    access_log = stack.run / "access.log"  # the web server writes it once the answer is sent
    logged = lambda: f"/{app}/static/style.css" in access_log.read_text()  # noqa: E731
    wait_until(logged, None, output_of(access_log), "the web server's access log")
    logs = "".join(stack.log(name) for name in stack.app_logs(app))
    assert "static/style.css" not in logs
    assert f"/{app}/static/style.css" in (stack.run / "access.log").read_text()


def test_a_form_post_redirects_within_https_and_the_prefix(stack, app):
    browser = Browserish()
    form = BeautifulSoup(browser.get(f"{stack.url}/{app}/").body, "html.parser").select_one(
        'form[data-testid="prediction-form"]'
    )
    fields = {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]")}
    fields.update({k: str(v) for k, v in SETOSA.items()})
    reply = browser.post_form(f"{stack.url}{form['action']}", fields, origin=stack.url)
    assert reply.status == 303, reply.body[:300]
    assert re.fullmatch(rf"/{app}/predictions/\d+", reply.headers["Location"])
    result = browser.get(f"{stack.url}{reply.headers['Location']}")
    assert (
        BeautifulSoup(result.body, "html.parser")
        .select_one('[data-testid="predicted-label"]')
        .get_text()
        == "setosa"
    )


def test_the_api_works_through_the_web_server_and_keeps_its_error_shapes(stack, app):
    browser = Browserish()
    browser.sign_up(f"{stack.url}/{app}", "api-user")
    token = browser.new_token(f"{stack.url}/{app}")
    made = browser.post_json(f"{stack.url}/{app}/api/v1/predict", {"features": SETOSA}, token)
    assert made.status == 201
    read = browser.request(
        "GET",
        f"{stack.url}/{app}/api/v1/predictions/{made.json()['id']}",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert read.json() == made.json()
    too_large = browser.request(
        "POST",
        f"{stack.url}/{app}/api/v1/predict",
        b"{" + b" " * (2 << 20) + b"}",
        {"Content-Type": "application/json"},
    )
    assert too_large.status == 413
    assert too_large.json()["error"]["code"] == "payload_too_large"
    assert browser.get(f"{stack.url}/{app}/api/v1/nothing").json()["error"]["code"] == "not_found"


def test_requests_are_spread_over_both_instances_of_each_app(stack, app):
    if stack.web_server == "apache":
        pytest.skip("mod_wsgi's daemon processes of an app share one socket: no upstream to spread")
    browser = Browserish()
    for _ in range(20):
        assert browser.get(f"{stack.url}/{app}/api/v1/health").status == 200
    counts = [stack.log(f"{app}-{n}").count("/api/v1/health") for n in (1, 2)]
    assert all(count > 0 for count in counts), counts


def children(parent: int) -> list[tuple[str, str]]:
    """The user and the name (`argv[0]`) of each child process of `parent`, from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            name = (stat.parent / "cmdline").read_bytes().split(b"\0")[0].decode().strip()
            user = pwd.getpwuid(stat.parent.stat().st_uid).pw_name
        except (OSError, IndexError):  # it ended while being read
            continue
        if ppid == parent:
            found.append((user, name))
    return found


def test_under_apache_each_app_runs_in_daemon_processes_apache_started(stack):
    """The application server inside the web server: Apache's parent process starts each app's
    mod_wsgi daemon group itself, as many processes as the nginx stack has gunicorn workers,
    under Apache's unprivileged user, named after the group (`display-name`)."""
    if stack.web_server != "apache":
        pytest.skip("behind nginx the application servers are gunicorns beside it")
    user = "www-data" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
    daemons = Counter(entry for entry in children(stack.pids()[0]) if "(wsgi:" in entry[1])
    assert daemons == {
        (user, "(wsgi:flask)"): 2 * GUNICORN_WORKERS,
        (user, "(wsgi:django)"): 2 * GUNICORN_WORKERS,
    }


def test_both_apps_share_one_postgresql_server(stack):
    browser = Browserish()
    for app in ("flask", "django"):
        assert browser.get(f"{stack.url}/{app}/api/v1/health").json()["checks"]["database"] == "ok"
    assert stack.database.url.startswith("postgresql://")


def test_log_ins_are_limited_by_the_client_address_the_web_server_saw(stack, app):
    """nginx appends the address it saw to X-Forwarded-For and the apps trust that one hop only;
    under mod_wsgi the apps take the connection's address and trust no hop. Either way a forged
    header does not make each attempt look like a new client (docs/spec.md#96-limits)."""
    Browserish().sign_up(f"{stack.url}/{app}", "limited")
    statuses = [
        Browserish()
        .submit(
            f"{stack.url}/{app}/accounts/login",
            "login-form",
            {"username": "limited", "password": "wrong password"},
            **{"X-Forwarded-For": f"203.0.113.{n}"},
        )
        .status
        for n in range(6)
    ]
    assert statuses == [400] * 5 + [429]


def test_the_web_server_keeps_metrics_from_every_client(stack, app):
    reply = Browserish().get(f"{stack.url}/{app}/metrics")
    assert reply.status == 404
    assert b"model_predictions_total" not in reply.body


def predictions_counted(stack, app) -> float:
    """`model_predictions_total` over every gunicorn instance of the app, or Apache's loopback
    virtual host for its daemon group, each scraped on its loopback address: plain HTTP, no
    forwarded headers, yet in production it is not redirected, and each scrape adds up the
    instance's (or group's) processes (docs/spec.md#101-metrics)."""
    total = 0.0
    for port in stack.ports[app]:
        reply = Browserish().get(f"http://127.0.0.1:{port}/{app}/metrics")
        assert reply.status == 200
        families = text_string_to_metric_families(reply.body.decode())
        total += sum(
            sample.value
            for family in families
            for sample in family.samples
            if sample.name == "model_predictions_total"
        )
    return total


def test_apache_s_loopback_host_for_prometheus_answers_metrics_alone(stack, app):
    if stack.web_server != "apache":
        pytest.skip("behind nginx Prometheus scrapes each gunicorn, which answers every path")
    port = stack.ports[app][0]
    assert Browserish().get(f"http://127.0.0.1:{port}/{app}/metrics").status == 200
    assert Browserish().get(f"http://127.0.0.1:{port}/{app}/api/v1/health").status == 404
    assert Browserish().get(f"http://127.0.0.1:{port}/").status == 404


def test_prometheus_counts_a_prediction_made_through_the_web_server(stack, app):
    before = predictions_counted(stack, app)
    reply = Browserish().post_json(f"{stack.url}/{app}/api/v1/predict", {"features": SETOSA})
    assert reply.status == 201
    assert predictions_counted(stack, app) - before == 1


def logged_lines(stack, name: str, ending: str) -> list[str]:
    """The lines of a log of the stack (`access`: the web server's; `flask-1` ...: a gunicorn's)."""
    return [line for line in stack.log(name).splitlines() if line.endswith(ending)]


def test_a_request_without_an_id_gets_one_in_every_access_log(stack, app):
    """nginx's $request_id goes to the app, which answers with it; nginx's access log and the
    gunicorn instance's (written once the answer is sent) end with it. Behind Apache the app
    makes the id, and Apache's access log, the only one, ends with it (docs/spec.md#102)."""
    request_id = Browserish().get(f"{stack.url}/{app}/api/v1/health").headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    ending = f" request_id={request_id}"
    gunicorns = stack.app_logs(app) if stack.web_server == "nginx" else []
    logs = ["access", *gunicorns]
    wait_until(
        lambda: len([log for log in logs if logged_lines(stack, log, ending)]) == min(len(logs), 2),
        None,
        lambda: "\n".join(stack.log(log)[-2000:] for log in logs),
        "the request's lines in the access logs",
        seconds=30,
    )


def test_a_client_s_own_sane_id_goes_through(stack, app):
    reply = Browserish().get(f"{stack.url}/{app}/api/v1/health", **{"X-Request-ID": "client-7.a"})
    assert reply.headers["X-Request-ID"] == "client-7.a"


def test_an_insane_id_is_replaced_in_the_answer_and_the_access_log(stack, app):
    reply = Browserish().get(f"{stack.url}/{app}/api/v1/health", **{"X-Request-ID": "a b/c"})
    request_id = reply.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    wait_until(
        lambda: bool(logged_lines(stack, "access", f" request_id={request_id}")),
        None,
        lambda: stack.log("access")[-2000:],
        "the request's line in the web server's access log",
        seconds=30,
    )
