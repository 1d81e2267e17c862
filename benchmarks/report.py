"""What the load benchmark prints and writes: the console lines, the goals, docs/benchmark.json,
docs/benchmark.svg, and the figures block of comparison.md."""

from __future__ import annotations

import json
import os
import platform
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .servers import CONTENDERS, UNOBSERVED

ROOT = Path(__file__).resolve().parent.parent  # the repository

TITLES = {c.name: c.title for c in (*CONTENDERS, *UNOBSERVED.values())}
APP_NAMES = ("flask", "django")
START, END = "<!-- bench:figures:start -->", "<!-- bench:figures:end -->"
FRAMEWORK = "framework and server interface"
COLOURS = {
    "baseline": "#9e9e9e",
    "flask": "#1f77b4",
    "django": "#2ca02c",
    "fastapi": "#ff7f0e",
}  # the profile's name for what is not the app's work


def say(line: str) -> None:
    print(line, flush=True)


def inline(values: dict[str, float], unit: str) -> str:
    return ", ".join(f"{TITLES[name]} {value:g} {unit}" for name, value in values.items())


def machine() -> dict[str, Any]:
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        model = found.group(1).strip() if found else ""
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": model or platform.processor(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
    }


def ratio(results: dict[str, Any], workload: str, name: str) -> float:
    """The server's requests/s relative to the baseline's (the median of the rounds' ratios)."""
    return float(results["workloads"][workload]["servers"][name]["relative"])


def print_workload(measured: dict[str, dict[str, Any]]) -> None:
    for name, figures in measured.items():
        relative = f"  {figures['relative']:.2f}× baseline" if "relative" in figures else ""
        say(
            f"  {TITLES[name]:10} {figures['requests_per_s']:8.1f} req/s "
            f"{figures['rows_per_s']:10.0f} rows/s  p50 {figures['p50_ms']:7.2f} ms  "
            f"p99 {figures['p99_ms']:7.2f} ms{relative}"
        )


def print_profiles(profiles: dict[str, dict[str, Any]]) -> None:
    for name, found in profiles.items():
        shares = ", ".join(f"{step} {share:.0%}" for step, share in found["share"].items())
        say(f"  {TITLES[name]:10} {found['request_us']:6.0f} µs: {shares}")


def goals(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Issue #7's goals, each with the figure that decides it."""
    found: list[dict[str, Any]] = []

    def goal(text: str, value: str, met: bool) -> None:
        found.append({"goal": text, "value": value, "met": bool(met)})

    for name in APP_NAMES:
        title = TITLES[name]
        single = ratio(results, "predict", name)
        goal(
            f"{title}: single-row predictions ≥ 0.85× baseline req/s",
            f"{single:.2f}×",
            single >= 0.85,
        )
        hundred = ratio(results, "batch_100", name)
        goal(f"{title}: batches of 100 ≥ 0.9× baseline req/s", f"{hundred:.2f}×", hundred >= 0.9)
        rows = results["workloads"]["batch_1000"]["servers"][name]["rows_per_s"]
        goal(
            f"{title}: batches of 1,000 ≥ 150,000 rows/s per worker",
            f"{rows:,.0f} rows/s",
            rows >= 150_000,
        )
        small = results["workloads"]["history_100"]["servers"][name]["requests_per_s"]
        large = results["workloads"]["history_100000"]["servers"][name]["requests_per_s"]
        goal(
            f"{title}: /history with 100,000 rows at most 2× slower than with 100",
            f"{small / large:.2f}× slower",
            small / large <= 2,
        )
        stress = results["stress"][name]
        goal(
            f"{title}: 64 clients on 4 workers: no 5xx, no 'database is locked', every 201 stored",
            f"{stress['server_errors']} 5xx, {stress['acknowledged']} acknowledged, {stress['stored']} stored",
            stress["server_errors"] == 0
            and not stress["database_locked"]
            and stress["stored"] >= stress["acknowledged"],
        )
        if "operating" in results:  # a benchmark.json older than metrics and traces has none
            kept = results["operating"][name]["relative_to_unobserved"]
            goal(
                f"{title}: single-row predictions with metrics and traces ≥ 0.9× without",
                f"{kept:.2f}×",
                kept >= 0.9,
            )
        sigterm = results["sigterm"][name]
        goal(
            f"{title}: SIGTERM during load loses no acknowledged prediction",
            f"{sigterm['acknowledged']} acknowledged, {sigterm['stored']} stored, exit {sigterm['exit_code']}",
            sigterm["stored"] >= sigterm["acknowledged"] and sigterm["exit_code"] == 0,
        )
    return found


def print_goals(found: list[dict[str, Any]]) -> None:
    met = sum(goal["met"] for goal in found)
    say(f"Goals: {met} of {len(found)} met")
    for goal in found:
        say(f"  {'met   ' if goal['met'] else 'MISSED'} {goal['goal']}: {goal['value']}")


def figures_table(results: dict[str, Any]) -> str:
    """The Markdown block comparison.md shows, from one run's results."""
    names = [c.name for c in CONTENDERS]
    lines = [
        "| median of the rounds (× baseline: median of each round's ratio) | "
        + " | ".join(TITLES[n] for n in names)
        + " |",
        "| --- |" + " ---: |" * len(names),
    ]
    for key, figures in results["workloads"].items():
        servers = figures["servers"]
        cells = []
        for name in names:
            if name not in servers:
                cells.append("—")
                continue
            figure = servers[name]
            rate = (
                f"{figure['rows_per_s']:,.0f} rows/s"
                if "batch" in key
                else f"{figure['requests_per_s']:,.0f} req/s"
            )
            relative = (
                f" ({figure['relative']:.2f}×)"
                if name != "baseline" and "relative" in figure
                else ""
            )
            cells.append(
                f"{rate}{relative}<br>p50 {figure['p50_ms']:.1f} ms, p99 {figure['p99_ms']:.1f} ms"
            )
        lines.append(f"| {figures['title']} | " + " | ".join(cells) + " |")
    lines.append(
        "| cold start (process start to first 200) | "
        + " | ".join(f"{results['cold_start_s'][n]:.2f} s" for n in names)
        + " |"
    )
    lines.append(
        "| peak memory per worker (VmHWM) | "
        + " | ".join(f"{results['peak_rss_mib'][n]:.0f} MiB" for n in names)
        + " |"
    )
    steps = list(next(iter(results["profile"].values()))["share"])
    lines.append(
        "| one single-row request in process (cProfile split below) | "
        + " | ".join(f"{results['profile'][n]['request_us']:.0f} µs" for n in names)
        + " |"
    )
    for step in steps:
        lines.append(
            f"| &nbsp;&nbsp;{step} | "
            + " | ".join(f"{results['profile'][n]['share'][step]:.0%}" for n in names)
            + " |"
        )
    settings, where = results["settings"], results["machine"]
    framework_us = {
        n: results["profile"][n]["request_us"] * results["profile"][n]["share"].get(FRAMEWORK, 0)
        for n in names
        if n != "baseline"
    }
    lines += [
        "",
        "In the profile of a single-row request, what is left besides validating and predicting,"
        " storing and JSON (the framework and its server interface) is "
        + ", ".join(
            f"about {us:.0f} µs of {TITLES[n]}'s {results['profile'][n]['request_us']:.0f} µs"
            for n, us in framework_us.items()
        )
        + f"; the bare baseline does all its work in {results['profile']['baseline']['request_us']:.0f}"
        " µs.",
        "",
        f"One worker per server, wrk with {settings['connections']} connection, "
        f"{settings['rounds']} alternating rounds of {settings['seconds_per_round']:g} s; "
        f"{where['cores']} cores ({where['cpu']}), Python {where['python']}, {where['date']}.",
        "",
        "| goal (issue #7) | measured | |",
        "| --- | --- | --- |",
    ]
    for goal in results["goals"]:
        lines.append(
            f"| {goal['goal']} | {goal['value']} | {'met' if goal['met'] else '**missed**'} |"
        )
    return "\n".join(lines)


def chart(results: dict[str, Any], path: Path) -> None:
    """Two panels: the API relative to the baseline, and the pages' latency (SVG, matplotlib)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"svg.fonttype": "none", "svg.hashsalt": "benchmark", "font.size": 9})
    figure, (api, pages) = plt.subplots(1, 2, figsize=(10, 3.6), width_ratios=[3, 2])
    workloads = ["predict", "batch_100", "batch_1000"]
    labels = ["1 row", "100 rows", "1,000 rows"]
    width = 0.2
    for index, contender in enumerate(CONTENDERS):
        values = [ratio(results, w, contender.name) for w in workloads]
        positions = [i + (index - 1.5) * width for i in range(len(workloads))]
        bars = api.bar(
            positions, values, width, label=contender.title, color=COLOURS[contender.name]
        )
        api.bar_label(bars, fmt="%.2f", fontsize=7, padding=1)
    api.axhline(1.0, color="grey", linewidth=0.8)
    api.set_xticks(range(len(workloads)), labels)
    api.set_ylabel("requests/s relative to bare WSGI")
    api.set_title("POST /api/v1/predict[/batch], one worker each")
    api.set_ylim(0, 1.25)
    api.legend(loc="upper center", ncols=4, fontsize=7)
    page_keys = ["form_page", "history_100", "history_100000"]
    page_labels = ["GET /", "/history\n100 rows", "/history\n100,000 rows"]
    for index, name in enumerate(APP_NAMES):
        values = [results["workloads"][k]["servers"][name]["p50_ms"] for k in page_keys]
        positions = [i + (index - 0.5) * 0.35 for i in range(len(page_keys))]
        bars = pages.bar(positions, values, 0.35, label=TITLES[name], color=COLOURS[name])
        pages.bar_label(bars, fmt="%.1f", fontsize=7, padding=1)
    pages.set_xticks(range(len(page_keys)), page_labels)
    pages.set_ylabel("median latency (ms)")
    pages.set_title("Pages (Flask and Django only)")
    pages.legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(path, format="svg", metadata={"Date": None})
    plt.close(figure)


def update_comparison(results: dict[str, Any], comparison: Path) -> bool:
    """Replace the figures block of comparison.md; False if the file or its markers are missing."""
    if not comparison.exists():
        return False
    text = comparison.read_text()
    if START not in text or END not in text:
        return False
    before, rest = text.split(START, 1)
    _, after = rest.split(END, 1)
    comparison.write_text(f"{before}{START}\n{figures_table(results)}\n{END}{after}")
    return True


def write(results: dict[str, Any], folder: Path, comparison: Path | None) -> None:
    """benchmark.json and benchmark.svg into the folder; the figures into `comparison`, if any."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "benchmark.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    chart(results, folder / "benchmark.svg")
    say(f"Wrote {folder / 'benchmark.json'} and {folder / 'benchmark.svg'}")
    if comparison is not None and update_comparison(results, comparison):
        say(f"Updated the figures in {comparison.name}")
