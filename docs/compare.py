"""Regenerate, in place, every generated part of comparison.md, so that nothing in it is typed by hand
where a script can read it from the repository.

    python3 dev.py -s compare             # in a nox environment with both apps' extras (pinned)
    python docs/compare.py                # the same, in an environment you installed yourself
    python docs/compare.py --check        # change nothing; exit 1 and name what is stale

Two kinds of generated parts, because the apps' code keeps changing and line numbers move:

- A link to lines of a file carries, as its title, an *anchor* that names what it points at:
  `[flask_app/pages.py#L55-L61](flask_app/pages.py#L55-L61 "def predict")`. The script finds the
  anchor in the file today and rewrites the line numbers (and the link's text, when the text is
  the target itself). Anchors: `def NAME` or `class NAME` (Python, decorators included; a method
  or nested function as `def Class.method`), `NAME =` (an assignment), `line: TEXT` (the one line
  holding TEXT) and `lines: START ... END` (from the one line holding START to the first line
  after it holding END; `lines: A ... B ... C` goes on from B's line to the next holding C). A `#L` link without an anchor is an error: it would go stale unseen.
- A block between `<!-- compare:NAME:start -->` and `<!-- compare:NAME:end -->` is replaced as a
  whole by what `BLOCKS[NAME]` makes: code excerpts, lines of code, dependencies, tests.

The load benchmark owns the block between `<!-- bench:figures:start -->` and
`<!-- bench:figures:end -->` (`python3 dev.py -s bench` writes it); this script leaves it alone.
Running the script twice changes nothing the second time; timings are never its business.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import json
import re
import subprocess
import sys
import sysconfig
import tomllib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCUMENT = ROOT / "comparison.md"
APPS = ("flask", "django")
TITLES = {"flask": "Flask app", "django": "Django app"}

LINK = re.compile(
    r'(?P<bang>!?)\[(?P<text>[^\]\n]*)\]\((?P<url>[^()\s]+)(?:\s+"(?P<title>[^"\n]*)")?\)'
)
BLOCK = re.compile(
    r"(?P<start><!-- compare:(?P<name>[\w-]+):start -->\n)(?P<body>.*?)(?P<end><!-- compare:(?P=name):end -->)",
    re.DOTALL,
)
BENCH = re.compile(r"<!-- bench:figures:start -->.*?<!-- bench:figures:end -->", re.DOTALL)
FENCE = re.compile(r"^(`{3,}|~{3,}).*?^\1[ \t]*$", re.DOTALL | re.MULTILINE)
LINE_FRAGMENT = re.compile(r"^L(\d+)(?:-L(\d+))?$")


class CompareError(Exception):
    """Something in comparison.md the script cannot resolve: the message names it and the fix."""


# Anchors: what a line link points at, found in today's file.


@dataclass(frozen=True)
class Span:
    """Lines `first` to `last` (1-based, inclusive) of a file of the repository."""

    path: str
    first: int
    last: int

    @property
    def target(self) -> str:
        """The relative link GitHub turns into a highlight of these lines."""
        if self.first == self.last:
            return f"{self.path}#L{self.first}"
        return f"{self.path}#L{self.first}-L{self.last}"

    def text(self, root: Path = ROOT) -> str:
        lines = (root / self.path).read_text().splitlines()
        return "\n".join(lines[self.first - 1 : self.last]) + "\n"


def python_definitions(source: str) -> dict[str, list[tuple[int, int]]]:
    """Every `def`, `class` and assignment of a module, by anchor, with its line range.

    Nested names are qualified (`def ErrorMiddleware.process_exception`), so that two functions of
    the same name in one file can still be told apart. A definition starts at its first
    decorator: the decorator is where Flask writes a route and Django a method rule.
    """
    found: dict[str, list[tuple[int, int]]] = defaultdict(list)

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                kind = "class" if isinstance(child, ast.ClassDef) else "def"
                first = min([child.lineno, *(d.lineno for d in child.decorator_list)])
                found[f"{kind} {prefix}{child.name}"].append((first, child.end_lineno or first))
                visit(child, f"{prefix}{child.name}.")
                continue
            if isinstance(child, ast.Assign | ast.AnnAssign):
                targets = child.targets if isinstance(child, ast.Assign) else [child.target]
                for target in targets:
                    if isinstance(target, ast.Name):
                        span = (child.lineno, child.end_lineno or child.lineno)
                        found[f"{prefix}{target.id} ="].append(span)
            visit(child, prefix)

    visit(ast.parse(source), "")
    return found


def _one(matches: list[int], what: str, path: str) -> int:
    if len(matches) != 1:
        where = "nowhere" if not matches else f"on lines {', '.join(map(str, matches))}"
        raise CompareError(f"{path}: {what} is {where}; it must be on exactly one line")
    return matches[0]


def find_anchor(path: str, anchor: str, root: Path = ROOT) -> Span:
    """The lines of `path` that `anchor` names today (see the module's docstring)."""
    file = root / path
    if not file.is_file():
        raise CompareError(f"{path}: no such file (anchor {anchor!r})")
    source = file.read_text()
    lines = source.splitlines()
    if anchor.startswith("line: "):
        needle = anchor.removeprefix("line: ")
        number = _one([i for i, line in enumerate(lines, 1) if needle in line], repr(needle), path)
        return Span(path, number, number)
    if anchor.startswith("lines: "):
        start, *after = anchor.removeprefix("lines: ").split(" ... ")
        if not after:
            raise CompareError(f"{path}: anchor {anchor!r} needs the form 'lines: START ... END'")
        first = _one([i for i, line in enumerate(lines, 1) if start in line], repr(start), path)
        last = first
        for needle in after:
            last = next((i for i in range(last, len(lines) + 1) if needle in lines[i - 1]), 0)
            if not last:
                raise CompareError(f"{path}: {needle!r} is nowhere after line {first}")
        return Span(path, first, last)
    if not path.endswith(".py"):
        raise CompareError(
            f"{path}: anchor {anchor!r}: only 'line:' and 'lines:' fit a non-Python file"
        )
    spans = python_definitions(source).get(anchor, [])
    if len(spans) != 1:
        found = "is not there" if not spans else f"is there {len(spans)} times; qualify it"
        raise CompareError(f"{path}: anchor {anchor!r} {found}")
    return Span(path, *spans[0])


def find_anchors(path: str, anchors: Iterable[str], root: Path = ROOT) -> Span:
    """One span from the first line of the first anchor to the last line of the last."""
    spans = [find_anchor(path, anchor, root) for anchor in anchors]
    return Span(path, min(s.first for s in spans), max(s.last for s in spans))


# The document: prose (where anchored links live), fenced code, and generated blocks.


def prose_parts(text: str) -> Iterator[tuple[bool, str]]:
    """The text cut into (is_prose, part): generated blocks and fenced code are not prose."""
    closed = [(m.start(), m.end()) for m in [*BLOCK.finditer(text), *BENCH.finditer(text)]]
    position = 0
    for start, end in sorted(closed):
        yield from _split_fences(text[position:start])
        yield False, text[start:end]
        position = end
    yield from _split_fences(text[position:])


def _split_fences(text: str) -> Iterator[tuple[bool, str]]:
    position = 0
    for fence in FENCE.finditer(text):
        yield True, text[position : fence.start()]
        yield False, fence.group(0)
        position = fence.end()
    yield True, text[position:]


def markdown_text(target: str) -> str:
    """A path as link text: an underscore not inside a word is escaped, or GitHub would read
    `__init__` and `/_field` as emphasis."""
    return re.sub(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])", r"\\_", target)


def rewrite_link(match: re.Match[str], root: Path = ROOT) -> str:
    """The link with its anchor's current lines; an unanchored line link is refused.

    The link's text is rewritten too when it is the path itself (`[flask_app/pages.py](...)` or
    an older `[flask_app/pages.py#L3-L9](...)`); any other text is the author's and stays.
    """
    url, title = match["url"], match["title"]
    path, _, fragment = url.partition("#")
    if not title or "://" in url:
        if LINE_FRAGMENT.match(fragment):
            raise CompareError(
                f"{url}: a link to lines needs an anchor as its title (see docs/compare.py)"
            )
        return match.group(0)
    span = find_anchor(path, title, root)
    text = match["text"]
    if text.replace(r"\_", "_").partition("#")[0] == path:
        text = markdown_text(span.target)
    return f'{match["bang"]}[{text}]({span.target} "{title}")'


def rewrite_links(text: str, root: Path = ROOT) -> str:
    return "".join(
        LINK.sub(lambda m: rewrite_link(m, root), part) if prose else part
        for prose, part in prose_parts(text)
    )


def relative_links(text: str, same_page: bool = False) -> Iterator[str]:
    """Every relative link target of a Markdown text (outside code), e.g. `docs/spec.md#L3`;
    with `same_page`, links to a heading of the text itself (`#4-measured`) too."""
    for prose, part in _split_fences(text):
        if prose:
            for match in LINK.finditer(part):
                url = match["url"]
                if url.startswith("#"):
                    if same_page:
                        yield url
                elif not re.match(r"^([a-z][a-z0-9+.-]*:|/)", url):
                    yield url


# Block: code excerpts.


@dataclass(frozen=True)
class Excerpt:
    path: str
    anchors: tuple[str, ...]
    language: str

    def render(self, root: Path = ROOT) -> str:
        span = find_anchors(self.path, self.anchors, root)
        return f"[{markdown_text(span.target)}]({span.target})\n\n```{self.language}\n{span.text(root)}```\n"


EXCERPTS = {
    "excerpt-flask-route": Excerpt("flask_app/pages.py", ("def index", "def predict"), "python"),
    "excerpt-django-urls": Excerpt("django_app/predictions/urls.py", ("urlpatterns =",), "python"),
    "excerpt-django-route": Excerpt(
        "django_app/predictions/views.py", ("def index", "def predict"), "python"
    ),
    "excerpt-flask-form": Excerpt(
        "flask_app/forms.py",
        ("class FeatureField", "class PredictionFormBase", "def prediction_form_class"),
        "python",
    ),
    "excerpt-django-form": Excerpt(
        "django_app/predictions/forms.py", ("class FeatureField", "class PredictionForm"), "python"
    ),
    "excerpt-flask-template": Excerpt(
        "flask_app/templates/index.html", ("lines: <form data-testid= ... </form>",), "jinja"
    ),
    "excerpt-django-template": Excerpt(
        "django_app/predictions/templates/predictions/index.html",
        ("lines: <form data-testid= ... </form>",),
        "django",
    ),
}


# Block: lines of code.


def code_lines(path: Path) -> int:
    """Lines that hold code or markup: blank lines and lines that are only a `#` comment do not
    count (docstrings and template comments do: they are part of what a reader reads)."""
    return sum(
        1
        for line in path.read_text().splitlines()
        if line.strip() and not line.strip().startswith("#")
    )


def _files(root: Path, patterns: Iterable[str], skip: str = "") -> list[Path]:
    found = {p for pattern in patterns for p in root.glob(pattern) if p.is_file()}
    return sorted(
        p for p in found if "__pycache__" not in p.parts and not (skip and skip in p.parts)
    )


SHARED_PACKAGES = ("shared_model", "shared_web")
"""The packages both apps import and neither counts: the model, and what both need about the web."""

LOC_GROUPS = {
    "Python": {
        "flask": (("flask_app/**/*.py",), "migrations"),
        "django": (("django_app/**/*.py", "manage.py"), "migrations"),
    },
    "templates": {
        "flask": (("flask_app/templates/**/*.html",), ""),
        "django": (("django_app/**/templates/**/*.html",), ""),
    },
    "migrations": {
        "flask": (("flask_app/migrations/**/*",), ""),
        "django": (("django_app/**/migrations/*.py",), ""),
    },
}


def loc_block(root: Path = ROOT) -> str:
    files = {
        (group, app): _files(root, patterns, skip)
        for group, by_app in LOC_GROUPS.items()
        for app, (patterns, skip) in by_app.items()
    }
    count = {key: sum(code_lines(p) for p in paths) for key, paths in files.items()}
    rows = [
        "| lines of | Flask app | Django app |",
        "| --- | ---: | ---: |",
        "| Python (the app's own code) | {} | {} |".format(*(count["Python", a] for a in APPS)),
        "| templates (HTML) | {} | {} |".format(*(count["templates", a] for a in APPS)),
        "| migrations and their set-up | {} | {} |".format(*(count["migrations", a] for a in APPS)),
    ]
    shared = {
        package: sum(code_lines(p) for p in _files(root, (f"{package}/*.py",)))
        for package in SHARED_PACKAGES
    }
    lines = [
        *rows,
        "",
        "Both apps also call the two framework-free packages, which neither app counts: "
        f"`shared_model/` (the model), {shared['shared_model']} lines of Python, and "
        f"`shared_web/` (what both apps need about the web), {shared['shared_web']} lines.",
        "",
        "<details><summary>Every file counted</summary>",
        "",
        "| file | lines |",
        "| --- | ---: |",
    ]
    for app in APPS:
        for group in LOC_GROUPS:
            for path in files[group, app]:
                relative = path.relative_to(root).as_posix()
                lines.append(f"| [{markdown_text(relative)}]({relative}) | {code_lines(path)} |")
    return "\n".join([*lines, "", "</details>", ""])


# Block: the lines each app needed for accounts.

ACCOUNT_CODE: dict[str, dict[str, tuple[tuple[str, tuple[str, ...]], ...]]] = {
    # Per app and kind: (file or glob, anchors). No anchors: the whole file exists for accounts.
    # Anchors: the account parts of a file that also holds other things; one span each, except
    # a pair joined by "..", which is one span from the first to the second.
    "flask": {
        "Python": (
            ("flask_app/auth.py", ()),
            ("flask_app/accounts_store.py", ()),
            ("flask_app/limits.py", ()),
            ("flask_app/ownership.py", ()),
            ("flask_app/passwords.py", ()),
            ("flask_app/sessions.py", ()),
            ("flask_app/models.py", ("class User", "class ApiToken", "class Session", "class RateLimit")),
            ("flask_app/forms.py", ("class TextWidget .. class TokenForm",)),
            ("flask_app/api.py", ("def unauthorized", "def authenticate", "def token_viewer", "def prediction_owner")),
            ("flask_app/config.py", ("def access_settings",)),
            ("flask_app/store.py", ("class Viewer", "def claim_visitor_predictions")),
        ),
        "templates": (("flask_app/templates/auth/*.html", ()),),
        "migrations": (("flask_app/migrations/versions/*_accounts_*.py", ()),),
    },
    "django": {
        "Python": (
            ("django_app/accounts/*.py", ()),
            ("django_app/predictions/ownership.py", ()),
            ("django_app/predictions/signals.py", ()),
            ("django_app/predictions/models.py", ("def PredictionQuerySet.visible_to",)),
            ("django_app/predictions/errors.py", ("class TooManyRequests",)),
            ("django_app/settings.py", ("lines: AUTH_PASSWORD_VALIDATORS ... raise ImproperlyConfigured(str(error))",)),
        ),
        "templates": (("django_app/accounts/templates/accounts/*.html", ()),),
        "migrations": (
            ("django_app/accounts/migrations/0*.py", ()),
            ("django_app/predictions/migrations/0*_owner_*.py", ()),
        ),
    },
}  # fmt: skip


def _span_lines(path: str, anchor: str, root: Path) -> int:
    first, _, last = anchor.partition(" .. ")
    span = find_anchors(path, [first, last] if last else [first], root)
    text = "\n".join((root / path).read_text().splitlines()[span.first - 1 : span.last])
    return sum(1 for line in text.splitlines() if line.strip() and not line.strip().startswith("#"))


def account_parts(app: str, kind: str, root: Path = ROOT) -> list[tuple[str, int]]:
    """Each counted file or part, with its lines (counted as `code_lines` counts)."""
    parts = []
    for pattern, anchors in ACCOUNT_CODE[app][kind]:
        paths = _files(root, (pattern,))
        if not paths:
            raise CompareError(f"accounts: {pattern} matches no file")
        for path in paths:
            relative = path.relative_to(root).as_posix()
            if not anchors:
                parts.append((relative, code_lines(path)))
            for anchor in anchors:
                parts.append((f"{relative} ({anchor})", _span_lines(relative, anchor, root)))
    return parts


def accounts_block(root: Path = ROOT) -> str:
    kinds = ("Python", "templates", "migrations")
    parts = {(app, kind): account_parts(app, kind, root) for app in APPS for kind in kinds}
    lines = ["| accounts: lines of | Flask app | Django app |", "| --- | ---: | ---: |"]
    for kind in kinds:
        counts = [sum(n for _, n in parts[app, kind]) for app in APPS]
        lines.append(f"| {kind} | {counts[0]} | {counts[1]} |")
    lines += ["", "<details><summary>Every part counted</summary>", ""]
    lines += ["| file or part | lines |", "| --- | ---: |"]
    for app in APPS:
        for kind in kinds:
            for name, count in parts[app, kind]:
                lines.append(f"| {markdown_text(name)} | {count} |")
    return "\n".join([*lines, "", "</details>", ""])


# Block: dependencies installed per app.


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pyproject_requirements(root: Path = ROOT) -> dict[str, list[str]]:
    """The core's requirements (what `shared_model` and `shared_web` need) and each app's extra,
    from pyproject.toml."""
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    return {
        "core": project["dependencies"],
        **{a: project["optional-dependencies"][a] for a in APPS},
    }


def pinned_versions(root: Path = ROOT) -> dict[str, str]:
    pins = {}
    for line in (root / "constraints.txt").read_text().splitlines():
        name, sep, version = line.partition("==")
        if sep and not line.startswith("#"):
            pins[canonical(name.strip())] = version.strip()
    return pins


def closure(requirements: Iterable[str]) -> dict[str, metadata.Distribution]:
    """The installed distributions these requirements pull in, by canonical name: what an
    environment with only these requirements holds (pip and uv resolve the same, pinned)."""
    from packaging.requirements import Requirement  # pytest's own dependency: always at hand

    found: dict[str, metadata.Distribution] = {}
    wanted = [(Requirement(r), frozenset[str]()) for r in requirements]
    while wanted:
        requirement, parent_extras = wanted.pop()
        marker = requirement.marker
        if marker and not any(marker.evaluate({"extra": e}) for e in {"", *parent_extras}):
            continue
        name = canonical(requirement.name)
        try:
            distribution = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            raise CompareError(
                f"{requirement.name} is not installed here: run `python3 dev.py -s compare`, "
                "whose environment has both apps' extras"
            ) from None
        extras = frozenset(requirement.extras)
        key = f"{name}[{','.join(sorted(extras))}]"
        if key in found:
            continue
        found[key] = distribution
        wanted.extend((Requirement(r), extras) for r in distribution.requires or [])
    return {canonical(d.metadata["Name"]): d for d in found.values()}


def installed_bytes(distribution: metadata.Distribution) -> int:
    """The size of the files the package installs, as its RECORD lists them, so that the figure
    is the wheel's and not the installer's: compiled `__pycache__` files (pip writes them, uv does
    not), scripts outside site-packages (they embed the interpreter's path) and the `.dist-info`
    folder are left out."""
    total = 0
    for file in distribution.files or []:
        top = file.parts[0] if file.parts else ""
        if (
            file.size
            and top != ".."
            and not top.endswith(".dist-info")
            and "__pycache__" not in file.parts
        ):
            total += file.size
    return total


def platform_note() -> str:
    python = f"{sys.implementation.name.replace('cpython', 'CPython')} {sys.version_info.major}.{sys.version_info.minor}"
    return f"Sizes of the wheels installed for {python} on `{sysconfig.get_platform()}`"


def megabytes(size: int) -> str:
    """1 MB = 1,000,000 bytes; below 1 MB in kB, so that no package shows as 0.0 MB."""
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB"
    return f"{max(1, round(size / 1000))} kB"


def dependencies_block(root: Path = ROOT) -> str:
    requirements = pyproject_requirements(root)
    core = closure(requirements["core"])
    per_app = {app: closure([*requirements["core"], *requirements[app]]) for app in APPS}
    everything = {name: d for app in APPS for name, d in per_app[app].items()}
    pins = pinned_versions(root)
    for name, distribution in sorted(everything.items()):
        if pins.get(name) != distribution.version:
            raise CompareError(
                f"{name} {distribution.version} is installed but constraints.txt pins "
                f"{pins.get(name, 'nothing')}: run `python3 dev.py -s compare`"
            )
    size = {name: installed_bytes(d) for name, d in everything.items()}

    def summary(names: Iterable[str]) -> str:
        names = list(names)
        return f"{len(names)} packages, {megabytes(sum(size[n] for n in names))}"

    lines = [
        "| installed | Flask app | Django app |",
        "| --- | ---: | ---: |",
        "| everything the app needs | {} | {} |".format(*(summary(per_app[a]) for a in APPS)),
        "| of which the shared packages' (`shared_model`, `shared_web`) | {} | {} |".format(
            *(summary(core) for _ in APPS)
        ),
        "| of which the web part | {} | {} |".format(
            *(summary(n for n in per_app[a] if n not in core) for a in APPS)
        ),
        "",
        f"{platform_note()} (1 MB = 1,000,000 bytes; compiled `.pyc` files not counted).",
        "",
        "<details><summary>Every package</summary>",
        "",
        "| package | version | size | Flask app | Django app |",
        "| --- | --- | ---: | :---: | :---: |",
    ]
    for name in sorted(everything, key=lambda n: (n in core, n)):
        distribution = everything[name]
        marks = ["yes" if name in per_app[a] else "" for a in APPS]
        owner = " (shared)" if name in core else ""
        lines.append(
            f"| {distribution.metadata['Name']}{owner} | {distribution.version} "
            f"| {megabytes(size[name])} | {marks[0]} | {marks[1]} |"
        )
    return "\n".join([*lines, "", "</details>", ""])


# Block: tests per app.

Item = tuple[str, frozenset[str]]
"""A collected test: its id and the names of its marks."""


@dataclass(frozen=True)
class Selection:
    """The tests one app's nox session runs: its paths, its `-m` expression, and the test files
    that skip themselves there because a package that session leaves out is missing."""

    app: str
    paths: tuple[str, ...]
    markexpr: str
    skipped_files: frozenset[str]

    def selects(self, nodeid: str, marks: Iterable[str]) -> bool:
        """Whether that session runs this test; only the `-m` forms the noxfile uses."""
        file = nodeid.split("::")[0]
        if file in self.skipped_files or not file.startswith(tuple(f"{p}/" for p in self.paths)):
            return False
        words = self.markexpr.split()
        if not words:
            return True
        if len(words) == 2 and words[0] == "not":
            return words[1] not in marks
        raise CompareError(f"-m {self.markexpr!r}: docs/compare.py knows only 'not NAME'")


def _constants(call: ast.Call) -> list[object]:
    return [a.value for a in call.args if isinstance(a, ast.Constant)]


def _calls(node: ast.AST, name: str) -> Iterator[ast.Call]:
    for call in ast.walk(node):
        if isinstance(call, ast.Call):
            func = call.func
            if (func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")) == name:
                yield call


def skips_without(path: Path, absent: Iterable[str]) -> bool:
    """Whether a test module skips itself, when imported, for want of one of these packages
    (a top-level `pytest.importorskip("django")`): pytest then collects none of its tests."""
    tree = ast.parse(path.read_text())
    top = [s.value for s in tree.body if isinstance(s, ast.Expr) and isinstance(s.value, ast.Call)]
    return any(set(_constants(c)) & set(absent) for c in top for _ in _calls(c, "importorskip"))


def nox_selections(root: Path = ROOT) -> dict[str, Selection]:
    """Each app's selection, read from its nox session in noxfile.py: the arguments of its
    `session.run("pytest", ...)`, and the packages its `assert_not_installed` proves absent.
    So the count is of what `python3 dev.py -s flask` (or `-s django`) really runs."""
    tree = ast.parse((root / "noxfile.py").read_text())
    selections = {}
    for node in tree.body:
        if not (isinstance(node, ast.FunctionDef) and node.name in APPS):
            continue
        absent = [str(c) for call in _calls(node, "assert_not_installed") for c in _constants(call)]
        for call in _calls(node, "run"):
            words = [str(c) for c in _constants(call)]
            if words[:1] != ["pytest"]:
                continue
            markexpr = words[words.index("-m") + 1] if "-m" in words else ""
            paths = tuple(
                w.rstrip("/") for w in words[1:] if not w.startswith("-") and w != markexpr
            )
            skipped = {
                file.relative_to(root).as_posix()
                for path in paths
                for file in sorted((root / path).rglob("test_*.py"))
                if skips_without(file, absent)
            }
            selections[node.name] = Selection(node.name, paths, markexpr, frozenset(skipped))
    if set(selections) != set(APPS):
        raise CompareError(
            'noxfile.py: no `session.run("pytest", ...)` in the flask or django session'
        )
    return selections


COLLECT = """
import json, sys, pytest
class Items:
    def pytest_collection_finish(self, session):
        items = [[i.nodeid, sorted({m.name for m in i.iter_markers()})] for i in session.items]
        print("ITEMS " + json.dumps(items))
sys.exit(pytest.main(["--collect-only", "-q", "-p", "no:cacheprovider", *sys.argv[1:]], plugins=[Items()]))
"""


def collect_with_pytest(paths: Iterable[str], root: Path = ROOT) -> list[Item]:
    """Every test under these paths with its marks, as a fresh `pytest --collect-only` finds
    them; one process for both apps, which the selections then filter."""
    command = [sys.executable, "-c", COLLECT, *paths]
    result = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)
    lines = [line for line in result.stdout.splitlines() if line.startswith("ITEMS ")]
    if result.returncode != 0 or not lines:
        raise CompareError(
            f"pytest --collect-only {' '.join(paths)} failed:\n{result.stdout[-3000:]}{result.stderr[-3000:]}"
        )
    return [
        (nodeid, frozenset(marks)) for nodeid, marks in json.loads(lines[-1].removeprefix("ITEMS "))
    ]


Collector = Callable[[Iterable[str]], list[Item]]


def tests_block(collect: Collector | None = None, root: Path = ROOT) -> str:
    """Tests per app and per folder: the shared contract suite first, then each app's own."""
    selections = nox_selections(root)
    paths = sorted({p for s in selections.values() for p in s.paths})
    items = (collect or (lambda p: collect_with_pytest(p, root)))(paths)
    by_folder = {
        app: Counter(
            nodeid.split("::")[0].rsplit("/", 1)[0]
            for nodeid, marks in items
            if s.selects(nodeid, marks)
        )
        for app, s in selections.items()
    }
    folders = sorted(
        {folder for counts in by_folder.values() for folder in counts},
        key=lambda f: ("contract" not in f, "_only" not in f, "flask" not in f, f),
    )
    lines = ["| tests in | Flask app | Django app |", "| --- | ---: | ---: |"]
    for folder in folders:
        counts = [str(by_folder[app][folder] or "") for app in APPS]
        lines.append(f"| [{folder}/]({folder}) | {counts[0]} | {counts[1]} |")
    totals = [sum(by_folder[app].values()) for app in APPS]
    lines.append(f"| **all** | **{totals[0]}** | **{totals[1]}** |")
    return "\n".join([*lines, ""])


# The whole document.


def blocks(collect: Collector | None = None, root: Path = ROOT) -> dict[str, Callable[[], str]]:
    """Each generated block's maker, by the name its markers carry."""
    makers: dict[str, Callable[[], str]] = {
        name: (lambda e=excerpt: e.render(root)) for name, excerpt in EXCERPTS.items()
    }
    makers["loc"] = lambda: loc_block(root)
    makers["accounts"] = lambda: accounts_block(root)
    makers["dependencies"] = lambda: dependencies_block(root)
    makers["tests"] = lambda: tests_block(collect, root)
    return makers


def regenerate(
    text: str,
    collect: Collector | None = None,
    only: Iterable[str] | None = None,
    root: Path = ROOT,
) -> str:
    """The document with every anchored link and every block (or only the blocks named) made
    again from the repository as it is now."""
    makers = blocks(collect, root)
    present = [m["name"] for m in BLOCK.finditer(text)]
    unknown = sorted(set(present) - set(makers))
    missing = sorted(set(makers) - set(present))
    if unknown or missing:
        raise CompareError(f"comparison.md: unknown blocks {unknown}, missing blocks {missing}")
    wanted = set(makers if only is None else only)

    def replace(match: re.Match[str]) -> str:
        if match["name"] not in wanted:
            return match.group(0)
        return match["start"] + makers[match["name"]]() + match["end"]

    return rewrite_links(BLOCK.sub(replace, text), root)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python docs/compare.py", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--check", action="store_true", help="change nothing; exit 1 if comparison.md is stale"
    )
    args = parser.parse_args(argv)
    before = DOCUMENT.read_text()
    try:
        after = regenerate(before)
    except CompareError as exc:
        print(f"docs/compare.py: {exc}", file=sys.stderr)
        return 2
    if after == before:
        print("comparison.md is up to date.")
        return 0
    if args.check:
        diff = difflib.unified_diff(
            before.splitlines(), after.splitlines(), "comparison.md", "regenerated", lineterm=""
        )
        print("\n".join(diff))
        print("comparison.md is stale: run `python3 dev.py -s compare`.", file=sys.stderr)
        return 1
    DOCUMENT.write_text(after)
    print("comparison.md regenerated.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
