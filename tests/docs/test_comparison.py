"""comparison.md must say what the repository holds today: students copy it.

docs/compare.py regenerates every generated part in memory, and each test compares one kind of
part with the file: the line numbers of anchored links, the code excerpts, the lines of code, the
installed packages and the tests per app. A failure names what is stale; `python3 dev.py -s
compare` brings the file up to date. Every relative link of comparison.md and README.md must
also lead somewhere: to a file, to lines that exist, or to a heading.

Two parts are measured rather than read, and are checked as follows:

- Installed packages: read from the installed packages' metadata (no network, well under a
  second), compared exactly where the block was measured (the same platform and Python, which
  the block names); on another platform the wheels and their sizes differ, and that test skips.
- Tests per app: each app's nox session's selection (read from noxfile.py), taken from this very
  session's tests when it collected all of them and deselected none (as `python3 dev.py` runs
  it); otherwise (`pytest tests/docs`, `-k`, ...) from `pytest --collect-only` in a fresh
  process, which costs some seconds more.

The benchmark's block (between `bench:figures` markers) is the benchmark's to write and is not
compared; only its markers must be there.
"""

from __future__ import annotations

import difflib
import importlib.util
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load_compare() -> ModuleType:
    """docs/compare.py is a script, not a package: load it from its path."""
    spec = importlib.util.spec_from_file_location("compare", ROOT / "docs" / "compare.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


compare = _load_compare()
DOCUMENT = (ROOT / "comparison.md").read_text()


def bodies(text: str) -> dict[str, str]:
    return {m["name"]: m["body"] for m in compare.BLOCK.finditer(text)}


def assert_block_fresh(name: str, regenerated: str) -> None:
    now, then = bodies(regenerated)[name], bodies(DOCUMENT)[name]
    diff = "\n".join(
        difflib.unified_diff(
            then.splitlines(), now.splitlines(), "comparison.md", "today", lineterm=""
        )
    )
    assert now == then, f"block {name!r} is stale; run `python3 dev.py -s compare`:\n{diff}"


def test_every_line_link_points_at_its_anchor_today() -> None:
    regenerated = compare.rewrite_links(DOCUMENT)
    stale = [
        f"{old[0]}  ->  {new[0]}"
        for before, after in zip(DOCUMENT.splitlines(), regenerated.splitlines(), strict=True)
        for old, new in zip(
            compare.LINK.finditer(before), compare.LINK.finditer(after), strict=True
        )
        if old[0] != new[0]
    ]
    message = "links whose lines moved; run `python3 dev.py -s compare`:\n"
    assert not stale, message + "\n".join(stale)


@pytest.mark.parametrize("name", [*compare.EXCERPTS, "loc"])
def test_excerpts_and_line_counts_are_fresh(name: str) -> None:
    assert_block_fresh(name, compare.regenerate(DOCUMENT, only=[name]))


def test_installed_packages_are_fresh() -> None:
    platform = compare.platform_note()
    if platform not in bodies(DOCUMENT)["dependencies"]:
        pytest.skip(f"comparison.md's sizes were measured elsewhere; here: {platform}")
    try:
        regenerated = compare.regenerate(DOCUMENT, only=["dependencies"])
    except compare.CompareError as exc:
        pytest.skip(f"not the environment `python3 dev.py -s compare` makes: {exc}")
    assert_block_fresh("dependencies", regenerated)


def collected_here(request: pytest.FixtureRequest) -> compare.Collector | None:
    """This session's own tests, when it collected every path asked for and deselected none."""
    config = request.config
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None or reporter.stats.get("deselected") or any("::" in a for a in config.args):
        return None
    roots = [(config.invocation_params.dir / arg).resolve() for arg in config.args]
    items = [
        (item.nodeid, frozenset(m.name for m in item.iter_markers()))
        for item in request.session.items
    ]

    def collect(paths: Iterable[str]) -> list[compare.Item]:
        wanted = [ROOT / p for p in paths]
        if not all(any(w == r or r in w.parents for r in roots) for w in wanted):
            return compare.collect_with_pytest(paths)
        return items

    return collect


def test_tests_per_app_are_fresh(request: pytest.FixtureRequest) -> None:
    regenerated = compare.regenerate(DOCUMENT, collect=collected_here(request), only=["tests"])
    assert_block_fresh("tests", regenerated)


def test_the_benchmark_has_its_place() -> None:
    start, end = "<!-- bench:figures:start -->", "<!-- bench:figures:end -->"
    assert DOCUMENT.count(start) == DOCUMENT.count(end) == 1
    assert DOCUMENT.index(start) < DOCUMENT.index(end)
    assert "](docs/benchmark.svg)" in DOCUMENT


def github_slug(heading: str) -> str:
    """The id GitHub gives a heading: lower case, punctuation dropped, spaces made hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def headings(path: Path) -> set[str]:
    text = re.sub(compare.FENCE, "", path.read_text())
    return {github_slug(m[1]) for m in re.finditer(r"^#{1,6} (.+)$", text, re.MULTILINE)}


@pytest.mark.parametrize("document", ["comparison.md", "README.md"])
def test_every_relative_link_leads_somewhere(document: str) -> None:
    source = ROOT / document
    broken = []
    for url in compare.relative_links(source.read_text(), same_page=True):
        path, _, fragment = url.partition("#")
        target = (source.parent / path).resolve() if path else source
        lines = compare.LINE_FRAGMENT.match(fragment)
        if not target.exists():
            broken.append(f"{url}: no such file")
        elif lines:
            last = int(lines[2] or lines[1])
            length = len(target.read_text().splitlines())
            if last > length:
                broken.append(f"{url}: {path} has {length} lines")
        elif fragment and target.suffix == ".md" and fragment not in headings(target):
            broken.append(f"{url}: no such heading")
    assert not broken, f"{document}: broken links:\n" + "\n".join(broken)


def test_an_anchor_follows_its_code_and_a_stale_link_is_seen(tmp_path: Path) -> None:
    """The mechanism itself: a link's lines follow the code, and an old link differs."""
    (tmp_path / "app.py").write_text("import os\n\n\n@route('/')\ndef index():\n    return 1\n")
    link = '[app.py](app.py "def index")'
    assert compare.rewrite_links(link, tmp_path) == '[app.py#L4-L6](app.py#L4-L6 "def index")'
    (tmp_path / "app.py").write_text(
        "import os\nimport sys\n\n\n@route('/')\ndef index():\n    return 1\n"
    )
    assert compare.rewrite_links(link, tmp_path) == '[app.py#L5-L7](app.py#L5-L7 "def index")'
    with pytest.raises(compare.CompareError, match="needs an anchor"):
        compare.rewrite_links("[app.py#L5](app.py#L5)", tmp_path)
