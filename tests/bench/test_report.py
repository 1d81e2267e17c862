"""The benchmark's report: its goals are decided by the figures, and its Markdown block replaces
exactly the marked part of comparison.md."""

from __future__ import annotations

import pytest

from benchmarks import report

NAMES = ("baseline", "flask", "django", "fastapi")


def figures(requests_per_s: float, rows: int = 1) -> dict[str, float]:
    return {
        "requests_per_s": requests_per_s,
        "rows_per_s": requests_per_s * rows,
        "p50_ms": 1.0,
        "p99_ms": 2.0,
    }


def relative(workload: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    baseline = workload["baseline"]["requests_per_s"]
    return {n: {**f, "relative": f["requests_per_s"] / baseline} for n, f in workload.items()}


def results(single: float = 1000, history_large: float = 400) -> dict:
    """A run where Flask and Django make `single` single-row requests/s against 1,000 for the
    baseline, and /history serves 500 req/s with 100 rows and `history_large` with 100,000."""
    api = {
        "predict": relative({n: figures(1000 if n == "baseline" else single) for n in NAMES}),
        "batch_100": relative({name: figures(500, 100) for name in NAMES}),
        "batch_1000": relative({name: figures(160, 1000) for name in NAMES}),
    }
    pages = {
        "form_page": {name: figures(600) for name in report.APP_NAMES},
        "history_100": {name: figures(500) for name in report.APP_NAMES},
        "history_100000": {name: figures(history_large) for name in report.APP_NAMES},
    }
    return {
        "settings": {"rounds": 5, "seconds_per_round": 2, "connections": 1, "workers": 1},
        "machine": {"cores": 2, "cpu": "test", "python": "3.11", "date": "2026-11-25"},
        "workloads": {
            key: {"title": key, "servers": servers} for key, servers in {**api, **pages}.items()
        },
        "cold_start_s": dict.fromkeys(NAMES, 1.5),
        "peak_rss_mib": dict.fromkeys(NAMES, 100.0),
        "profile": {
            n: {"request_us": 500.0, "share": {"validate + predict": 0.5, report.FRAMEWORK: 0.2}}
            for n in NAMES
        },
        "stress": {
            name: {"server_errors": 0, "database_locked": False, "acknowledged": 10, "stored": 12}
            for name in report.APP_NAMES
        },
        "sigterm": {
            name: {"acknowledged": 10, "stored": 10, "exit_code": 0} for name in report.APP_NAMES
        },
    }


def verdicts(run: dict) -> dict[str, bool]:
    return {goal["goal"]: goal["met"] for goal in report.goals(run)}


def test_every_goal_is_met_by_a_run_that_meets_them():
    assert all(verdicts(results()).values())


@pytest.mark.parametrize(("single", "met"), [(850, True), (849, False)])
def test_the_single_row_goal_is_85_percent_of_the_baseline(single, met):
    found = verdicts(results(single=single))
    assert found["Flask: single-row predictions ≥ 0.85× baseline req/s"] is met


@pytest.mark.parametrize(("large", "met"), [(250, True), (249, False)])
def test_the_history_goal_is_at_most_twice_as_slow(large, met):
    found = verdicts(results(history_large=large))
    assert found["Django: /history with 100,000 rows at most 2× slower than with 100"] is met


def test_a_lost_acknowledged_prediction_misses_the_sigterm_goal():
    run = results()
    run["sigterm"]["flask"]["stored"] = 9
    assert not verdicts(run)["Flask: SIGTERM during load loses no acknowledged prediction"]


def test_the_figures_replace_only_the_marked_block(tmp_path):
    run = results()
    run["goals"] = report.goals(run)
    comparison = tmp_path / "comparison.md"
    comparison.write_text(f"before\n{report.START}\nold figures\n{report.END}\nafter\n")
    assert report.update_comparison(run, comparison)
    text = comparison.read_text()
    assert text.startswith(f"before\n{report.START}\n| median of the rounds")
    assert text.endswith(f"{report.END}\nafter\n")
    assert "old figures" not in text
    assert "1,000 req/s (1.00×)" in text
    assert "about 100 µs of Flask's 500 µs, about 100 µs of Django's 500 µs" in text


def test_a_comparison_without_markers_is_left_alone(tmp_path):
    comparison = tmp_path / "comparison.md"
    comparison.write_text("no markers\n")
    assert not report.update_comparison(results(), comparison)
    assert comparison.read_text() == "no markers\n"
