"""A new model without downtime (docs/spec.md#104-a-new-model-without-downtime).

    python -m deploy.rollout ARTIFACT --models DIR --pid PID [--pid PID ...] \\
        --health URL [--health URL ...] [--timeout 120] [--cafile PEM]

Each model version lives in `DIR/releases/VERSION/` (`model.joblib` and `model.json`),
`DIR/current` is a relative link to one of them, and the servers run gunicorn with
deploy/gunicorn.conf.py (no preloading) and `MODEL_PATH=DIR/current/model.joblib`. The command
takes the five steps of the spec, each only once the one before has worked: stage, prove in a
process of its own, switch the link, send `HUP` to each gunicorn master, and wait until every
health URL names the new version. Rolling back is the same command with the previous release's
`model.joblib`, still in `releases/`. Without `--pid` and `--health` it stops after the switch: a
new server's first release, before any server runs.

The steps are functions too, for the tests and deploy/stack.py.
"""

from __future__ import annotations

import argparse
import functools
import http.client
import json
import logging
import os
import shutil
import signal
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from shared_model.artifact import (
    ModelError,
    manifest_path,
    read_manifest,
    sha256_of,
    write_atomically,
)

RELEASES = "releases"
CURRENT = "current"
ARTIFACT = "model.joblib"
IN_A_ROW = 10  # answers naming the new version: with several workers, each has had its turn
TIMEOUT_SECONDS = 120.0
POLL_SECONDS = 0.1
ANSWER_SECONDS = 5.0  # one health request; a server busy starting workers may be slow

log = logging.getLogger(__name__)


class RolloutError(RuntimeError):
    """A step failed; the message is one line saying why. The steps after it were not taken."""


def served_path(models: Path) -> Path:
    """The `MODEL_PATH` of the servers: the artifact of the release that `current` names."""
    return models / CURRENT / ARTIFACT


def stage(artifact: Path, models: Path) -> Path:
    """Step 1: copy the artifact and its manifest into `releases/VERSION/`, returning the staged
    artifact. A release already there with the same SHA-256 is used as it is: rolling back, or
    rolling out the same model again, copies nothing."""
    manifest = read_manifest(artifact)
    staged = models / RELEASES / manifest.version / ARTIFACT
    if _intact(staged, manifest.sha256):
        return staged
    staged.parent.mkdir(parents=True, exist_ok=True)
    for source, target in ((artifact, staged), (manifest_path(artifact), manifest_path(staged))):
        write_atomically(target, functools.partial(shutil.copyfile, source))
        # Readable by all: the servers' user (Apache's www-data) need not be the one staging it,
        # and the temporary file it was written through is private (0600).
        target.chmod(0o644)
    log.info("Staged %s in %s", artifact, staged.parent)
    return staged


def _intact(staged: Path, sha256: str) -> bool:
    """Whether a release already holds this version: its manifest and its file both say so."""
    try:
        return read_manifest(staged).sha256 == sha256 == sha256_of(staged)
    except ModelError:
        return False


def prove(staged: Path) -> str:
    """Step 2: load the staged artifact and predict its manifest's examples in a process of its
    own (`python -m shared_model check`), whose crash cannot take this one down; returns its
    "OK" line. A broken artifact raises RolloutError with shared_model's one-line reason."""
    check = [sys.executable, "-m", "shared_model", "check", str(staged)]
    result = subprocess.run(check, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        lines = result.stderr.strip().splitlines()
        reason = lines[-1] if lines else f"{staged}: the check exited with {result.returncode}"
        raise RolloutError(reason.removeprefix("error: "))
    log.info("Proved %s: %s", staged, result.stdout.strip())
    return result.stdout.strip()


def switch(models: Path, staged: Path) -> None:
    """Step 3: point `current` at the staged release in one atomic step, a new link made under a
    temporary name and renamed over the old one, so that a worker loading the model finds the
    old link or the new one, never none. Relative, so that the folder may be moved whole."""
    link = models / CURRENT
    temporary = models / f".{CURRENT}.{os.getpid()}"
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(staged.parent.relative_to(models), target_is_directory=True)
    os.replace(temporary, link)
    log.info("Switched %s to %s", link, staged.parent.relative_to(models))


def reload(pids: Iterable[int]) -> None:
    """Step 4: `HUP` to each gunicorn master. It starts new workers, which load the model that
    `current` names now, and stops the old ones once they have answered the requests they hold."""
    for pid in pids:
        try:
            os.kill(pid, signal.SIGHUP)
        except ProcessLookupError:
            raise RolloutError(
                f"No process {pid} to reload: --pid takes the process id of each gunicorn master."
            ) from None
        log.info("Sent HUP to gunicorn %d", pid)


def wait_for_version(
    urls: Sequence[str],
    version: str,
    timeout: float = TIMEOUT_SECONDS,
    *,
    context: ssl.SSLContext | None = None,
    headers: Mapping[str, str] | None = None,
) -> None:
    """Step 5: ask each health URL until it names `version` in IN_A_ROW answers in a row; an
    answer that names another version, or none, starts its count again. RolloutError after
    `timeout` seconds, with the last answer of a URL that had not got there."""
    streaks = dict.fromkeys(urls, 0)
    last = dict.fromkeys(urls, "none yet")
    deadline = time.monotonic() + timeout
    log.info(
        "Waiting for %d answers in a row naming %s from %s", IN_A_ROW, version, ", ".join(urls)
    )
    while True:
        for url in urls:
            if streaks[url] < IN_A_ROW:
                served, last[url] = _health(url, context, headers or {})
                streaks[url] = streaks[url] + 1 if served == version else 0
        behind = [url for url in urls if streaks[url] < IN_A_ROW]
        if not behind:
            return
        if time.monotonic() > deadline:
            raise RolloutError(
                f"{behind[0]} did not name version {version} in {IN_A_ROW} answers in a row "
                f"within {timeout:g} s; its last answer: {last[behind[0]]}"
            )
        time.sleep(POLL_SECONDS)


def _health(
    url: str, context: ssl.SSLContext | None, headers: Mapping[str, str]
) -> tuple[str | None, str]:
    """The model version a health URL names (a 503 names it too), and the answer in one line."""
    request = urllib.request.Request(url, headers=dict(headers))
    try:
        with urllib.request.urlopen(request, timeout=ANSWER_SECONDS, context=context) as answer:
            status, body = answer.status, answer.read()
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read()
    except (OSError, http.client.HTTPException) as error:
        return None, f"no answer ({error})"
    try:
        payload = json.loads(body)
    except ValueError:
        payload = None
    served = payload.get("model_version") if isinstance(payload, dict) else None
    return served, f"{status} {body[:300].decode(errors='replace')}"


def install(artifact: Path, models: Path) -> str:
    """Steps 1 to 3: stage the artifact, prove it, switch `current` to it; returns its version.
    Alone, it is a new server's first release, before any server runs to reload."""
    staged = stage(artifact, models)
    prove(staged)
    switch(models, staged)
    return read_manifest(staged).version


def roll_out(
    artifact: Path,
    models: Path,
    pids: Iterable[int],
    health: Sequence[str],
    timeout: float = TIMEOUT_SECONDS,
    *,
    context: ssl.SSLContext | None = None,
    headers: Mapping[str, str] | None = None,
) -> str:
    """The five steps; returns the version every server now serves. `context` and `headers` go
    with each health request: a certificate to trust, `X-Forwarded-Proto` for a server that
    redirects plain HTTP."""
    version = install(artifact, models)
    reload(pids)
    wait_for_version(health, version, timeout, context=context, headers=headers)
    return version


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m deploy.rollout", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "artifact", type=Path, metavar="ARTIFACT", help="a model.joblib, its model.json beside it"
    )
    parser.add_argument(
        "--models", type=Path, required=True, metavar="DIR", help="the folder of releases/, current"
    )
    parser.add_argument(
        "--pid", type=int, action="append", default=[], help="a gunicorn master's process id"
    )
    parser.add_argument(
        "--health", action="append", default=[], metavar="URL", help="a server's /api/v1/health"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=TIMEOUT_SECONDS,
        metavar="SECONDS",
        help="how long to wait for every --health URL to name the new version (120)",
    )
    parser.add_argument(
        "--cafile", type=Path, metavar="PEM", help="a certificate to trust for --health over HTTPS"
    )
    args = parser.parse_args(argv)
    if bool(args.pid) != bool(args.health):
        parser.error("--pid and --health go together: the servers to reload, and to watch.")
    if args.cafile and not args.cafile.is_file():
        parser.error(f"--cafile {args.cafile}: no such file.")
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        if not args.pid:
            install(args.artifact, args.models)
            print(f"Start the servers with MODEL_PATH={served_path(args.models)}")
            return 0
        context = ssl.create_default_context(cafile=args.cafile) if args.cafile else None
        version = roll_out(
            args.artifact, args.models, args.pid, args.health, args.timeout, context=context
        )
    except (ModelError, RolloutError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"Every server serves model version {version}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
