"""`python -m side_by_side.serve`, the README's main job: its messages and its second run.

(The browser tests start it too, and drive both apps through it in Chromium.)"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from served_apps import free_port
from waiting import STARTUP_SECONDS, wait_until

pytest.importorskip("flask")
pytest.importorskip("django")

SETOSA = {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}


def serve(tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "side_by_side.serve", "--data-dir", str(tmp_path), *args]
    return subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
    )


def run_until_ready_then_stop(
    process: subprocess.Popen[str], port: int, meanwhile: Callable[[], None] | None = None
) -> str:
    """Wait for the "running" message, fetch both apps (and call `meanwhile`), then press
    Ctrl-C; returns all output."""
    lines: list[str] = []
    stdout = process.stdout
    assert stdout is not None

    def read() -> None:  # in a thread, so that the wait below keeps its own time
        for line in stdout:
            lines.append(line)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    output = lambda: "".join(lines)  # noqa: E731

    def all_output() -> str:  # for a failure: what the reader has yet to collect too
        reader.join(timeout=5)
        return output()

    wait_until(lambda: "Press Ctrl-C to stop." in output(), process, all_output, "serve")
    for path in ("/", "/flask/", "/django/"):
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}") as response:
            assert response.status == 200
    if meanwhile is not None:
        meanwhile()
    os.killpg(process.pid, signal.SIGINT)
    process.wait(timeout=30)
    reader.join(timeout=30)
    assert process.returncode == 0
    return output()


def model_series_by_app(base: str) -> dict[str, float]:
    """`model_predictions_total` of `/flask/metrics`, summed per `app` label."""
    with urllib.request.urlopen(f"{base}/flask/metrics") as response:
        text = response.read().decode()
    counts: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "model_predictions_total":
                app = sample.labels["app"]
                counts[app] = counts.get(app, 0) + sample.value
    return counts


def predict_in_each_app(base: str, times: dict[str, int]) -> None:
    body = json.dumps({"features": SETOSA}).encode()
    for app, count in times.items():
        for _ in range(count):
            request = urllib.request.Request(
                f"{base}/{app}/api/v1/predict",
                data=body,
                headers={"Content-Type": "application/json"},
            )
            with urllib.request.urlopen(request) as response:
                assert response.status == 201


def test_serve_trains_migrates_prints_the_addresses_and_stops_on_ctrl_c(tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"

    def both_apps_count_their_own_predictions() -> None:
        # One process serves both apps: the `app` label keeps their model series apart
        # (docs/spec.md#101-metrics), and every worker's counts add up.
        predict_in_each_app(base, {"flask": 1, "django": 2})
        assert model_series_by_app(base) == {"flask": 1, "django": 2}
        # and the recent spans of both apps in one file; each instrumentation
        # gives the route its framework's way (docs/spec.md#103-traces, #82).
        with urllib.request.urlopen(f"{base}/flask/_dev/spans") as response:
            spans = json.load(response)["spans"]
        routes = {
            span["attributes"].get("http.route") for span in spans if span["kind"] == "SERVER"
        }
        assert {"/api/v1/predict", "api/v1/predict"} <= routes

    output = run_until_ready_then_stop(
        serve(tmp_path, "--port", str(port)), port, both_apps_count_their_own_predictions
    )
    assert "Training a model on iris" in output
    assert f"side by side  http://127.0.0.1:{port}/" in output
    assert f"Flask         http://127.0.0.1:{port}/flask/" in output
    assert f"Django        http://127.0.0.1:{port}/django/" in output
    assert "Stopped both apps." in output
    flask_staff = f"DATABASE_URL=sqlite:///{tmp_path / 'flask.sqlite3'} "
    assert flask_staff in output and "--app flask_app create-staff NAME" in output
    assert "createsuperuser --settings=django_app.settings" in output
    assert {p.name for p in tmp_path.iterdir()} >= {
        "model.joblib",
        "model.json",
        "flask.sqlite3",
        "django.sqlite3",
        "secret_key",
    }


def test_a_second_run_reuses_the_model_and_the_databases(tmp_path):
    port = free_port()
    run_until_ready_then_stop(serve(tmp_path, "--port", str(port)), port)
    sha = (tmp_path / "model.json").read_text()
    key = (tmp_path / "secret_key").read_text()
    output = run_until_ready_then_stop(serve(tmp_path, "--port", str(port)), port)
    assert f"Using the model at {tmp_path / 'model.joblib'}" in output
    assert "Training" not in output
    assert (tmp_path / "model.json").read_text() == sha
    assert (tmp_path / "secret_key").read_text() == key  # sessions outlive a restart


def test_your_own_csv_gets_a_model_and_databases_of_its_own(tmp_path):
    data = tmp_path / "Leaf Shapes.csv"
    rows = (
        ["length (mm),width (mm),kind"]
        + [f"{10 + i % 5},{4 + i % 3},small" for i in range(10)]
        + [f"{20 + i % 5},{8 + i % 3},large" for i in range(10)]
    )
    data.write_text("\n".join(rows) + "\n")
    port = free_port()
    output = run_until_ready_then_stop(
        serve(tmp_path, "--port", str(port), "--csv", str(data), "--target", "kind"), port
    )
    assert "Training a model on csv:Leaf Shapes.csv" in output
    assert (tmp_path / "leaf_shapes" / "model.joblib").exists()
    assert (tmp_path / "leaf_shapes" / "flask.sqlite3").exists()


def test_a_port_in_use_gets_one_line_naming_it(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        process = serve(tmp_path, "--port", str(port))
        output, _ = process.communicate(timeout=STARTUP_SECONDS)
    assert process.returncode == 1
    assert output == (
        f"Port {port} on 127.0.0.1 is already in use: stop what uses it, or pick another port with "
        f"`python3 dev.py -s serve -- --port {port + 1}`.\n"
    )
