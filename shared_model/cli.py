"""`python -m shared_model train | info | predict | check`: the model's command line, used in
class and by the roll-out (deploy/rollout.py runs `check`)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from .artifact import (
    DEFAULT_MODEL_PATH,
    TRAIN_COMMAND,
    ModelError,
    ModelIntegrityError,
    check_integrity,
    configured_model_path,
    default_model_path,
    load_model,
    read_manifest,
    save,
    version_problem,
)
from .datasets import BUILTIN_DATASETS, DataError, load_builtin, load_csv
from .predictor import Predictor
from .schema import Manifest, format_time
from .validation import ValidationError

EXIT_USAGE = 2
EXIT_BROKEN = 1  # `check`'s answer for an artifact that cannot be served, apart from misuse (2)


class UsageError(ValueError):
    """An argument the command cannot use; the message says what it must be."""


def card_text(manifest: Manifest, path: Path) -> str:
    """The model card as plain text: what was trained, how well it does, what it accepts."""
    m = manifest.metrics
    cv = (
        f"{m['cv_accuracy_mean']:.3f} ± {m['cv_accuracy_std']:.3f} ({m['cv_folds']}-fold)"
        if m.get("cv_accuracy_mean") is not None
        else "not enough rows per class"
    )
    width = max(len(c) for c in manifest.classes)
    cell = max(8, width)
    lines = [
        f"Model {manifest.name} (version {manifest.version}), {manifest.estimator}",
        f"  artifact      {path}",
        f"  data set      {manifest.dataset}: {m['train_rows']} training rows, {m['test_rows']} test rows",
        f"  trained       {manifest.trained_at} with scikit-learn {manifest.sklearn_version}",
        f"  sha256        {manifest.sha256}",
        f"  test accuracy {m['test_accuracy']:.3f}",
        f"  CV accuracy   {cv}",
        "  confusion matrix (rows: true class, columns: predicted)",
        "    " + " " * width + "  " + " ".join(f"{c:>{cell}}" for c in manifest.classes),
    ]
    for label, counts in zip(manifest.classes, m["confusion_matrix"], strict=True):
        lines.append(f"    {label:<{width}}  " + " ".join(f"{n:>{cell}}" for n in counts))
    lines.append("  features (accepted range)")
    for f in manifest.features:
        lines.append(f"    {f.name:<24} {f.label_with_unit:<32} {f.min:g} to {f.max:g}")
    problem = version_problem(manifest)
    if problem:
        lines.append(f"  warning       {problem}")
    return "\n".join(lines)


def _train(args: argparse.Namespace) -> int:
    from .training import train  # scikit-learn: only when training

    if args.csv and not args.target:
        raise DataError("--csv needs --target COLUMN, the column that holds the class.")
    data = load_csv(Path(args.csv), args.target) if args.csv else load_builtin(args.dataset)
    out = Path(args.out) if args.out else default_model_path(data.name)
    manifest = save(train(data, seed=args.seed), out)
    print(card_text(manifest, out))
    if out != DEFAULT_MODEL_PATH and not args.out:
        source = (
            f"--csv {args.csv} --target {args.target}" if args.csv else f"--dataset {args.dataset}"
        )
        print(
            f"\nServe it in both apps, each with databases of its own: python3 dev.py -s serve -- {source}"
        )
    return 0


def _info(args: argparse.Namespace) -> int:
    """The card, then the integrity check: a tampered file's card is shown, and so is the error."""
    path = args.path or configured_model_path()
    manifest = read_manifest(path)
    print(card_text(manifest, path))
    check_integrity(path, manifest)
    return 0


def _predict(args: argparse.Namespace) -> int:
    try:
        features = json.loads(args.features)
    except ValueError:
        raise UsageError(
            "--features must be a JSON object, e.g. '{\"sepal_length\": 5.1, …}'."
        ) from None
    model = load_model(args.model or configured_model_path())
    outcome = model.predict(features)
    now = format_time(datetime.now(UTC))
    payload = {
        "id": None,
        "created_at": now,
        "source": "cli",
        "model": {"name": model.name, "version": model.version},
        "features": outcome.features,
        "label": outcome.label,
        "probabilities": outcome.probabilities,
        "feedback": None,
    }
    print(json.dumps(payload, indent=2))
    return 0


def _check(args: argparse.Namespace) -> int:
    """Prove an artifact before it goes live; a broken one is `check`'s "no", exit code 1.

    The roll-out runs it in a process of its own before it switches anything
    (docs/spec.md#104-a-new-model-without-downtime), so a broken artifact is refused with one
    line before any server loads it, and whatever unpickling it does stays in that process."""
    try:
        model = _prove(args.path)
    except ModelError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BROKEN
    print(f"OK {model.name} {model.version}: {len(model.manifest.examples)} examples predicted")
    return 0


def _prove(path: Path) -> Predictor:
    """Use the artifact as a server would: check its SHA-256, unpickle it, then predict each of
    its manifest's examples, where an estimator that does not fit its manifest fails."""
    try:
        model = load_model(path)
        for example in model.manifest.examples:
            model.predict(example["features"])
    except ModelError:
        raise
    except ValidationError as exc:
        reason = " ".join(f"{k}: {v}" for k, v in exc.fields.items())
    except Exception as exc:  # whatever an estimator that does not fit its manifest raises
        reason = f"{type(exc).__name__}: {' '.join(str(exc).split())}"
    else:
        return model
    raise ModelIntegrityError(
        f"{path} cannot predict its manifest's examples ({reason}); retrain it with "
        f"`{TRAIN_COMMAND}`."
    )


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m shared_model", description=__doc__)
    commands = root.add_subparsers(dest="command", required=True)

    cmd = commands.add_parser("train", help="train a model and write its artifact and manifest")
    source = cmd.add_mutually_exclusive_group()
    source.add_argument("--dataset", choices=BUILTIN_DATASETS, default="iris")
    source.add_argument(
        "--csv", metavar="FILE", help="your own data: numeric columns and a class column"
    )
    cmd.add_argument(
        "--target", metavar="COLUMN", help="with --csv: the column that holds the class"
    )
    cmd.add_argument(
        "--out",
        metavar="PATH",
        help="default: var/model.joblib for iris, var/NAME/model.joblib otherwise",
    )
    cmd.add_argument("--seed", type=int, default=42)
    cmd.set_defaults(run=_train)

    cmd = commands.add_parser("info", help="print the model card of an artifact")
    cmd.add_argument(
        "path", nargs="?", help="default: $MODEL_PATH, else var/model.joblib", type=Path
    )
    cmd.set_defaults(run=_info)

    cmd = commands.add_parser("predict", help="predict one row and print the prediction object")
    cmd.add_argument("--features", required=True, metavar="JSON")
    cmd.add_argument(
        "--model", metavar="PATH", help="default: $MODEL_PATH, else var/model.joblib", type=Path
    )
    cmd.set_defaults(run=_predict)

    cmd = commands.add_parser(
        "check", help="prove that an artifact can be served: SHA-256, load, predict its examples"
    )
    cmd.add_argument("path", type=Path, help="the artifact, e.g. releases/VERSION/model.joblib")
    cmd.set_defaults(run=_check)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.run(args))
    except ValidationError as exc:
        fields = " ".join(f"{k}: {v}" for k, v in exc.fields.items())
        print(f"error: {fields}", file=sys.stderr)
    except (DataError, UsageError, ModelError) as exc:
        print(f"error: {exc}", file=sys.stderr)
    return EXIT_USAGE
