"""`warmline eval` and `warmline train`: detection quality on labelled data."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from warmline.entrypoints.cli.conventions import USAGE, JsonFlag, JsonOut, emit_json, fail
from warmline.quality.metrics import Report

DEFAULT_DATA = Path("../shared/data/dev")
out = Console()
err = Console(stderr=True)


def eval_command(
    folder: Annotated[Path, typer.Argument(help="a labelled set: cases.jsonl [+ kb.jsonl]")],
    as_json: JsonFlag = False,
    json_out: JsonOut = None,
    signals: Annotated[str | None, typer.Option(help="semantic or lexical "
                                                     "(default: WARMLINE_SIGNALS)")] = None,
    policy: Annotated[Path | None, typer.Option(help="YAML policy (default: WARMLINE_POLICY "
                                                     "or the packaged one)")] = None,
    retrain: Annotated[str, typer.Option(help="none: the shipped heads; folds: k-fold "
                                              "cross-validation; without-set: heads trained "
                                              "without this set")] = "none",
    folds: Annotated[int, typer.Option(help="folds for --retrain folds", min=2)] = 5,
    data: Annotated[Path, typer.Option(help="training sets for --retrain")] = DEFAULT_DATA,
    limit: Annotated[int | None, typer.Option(help="score only the first N cases", min=1)]
    = None,
) -> None:
    """Feed a labelled set to the engine turn by turn and report detection quality."""
    from warmline.bootstrap import build_signals, load_policy
    from warmline.config import Config
    from warmline.domain.errors import PolicyError
    from warmline.quality.dataset import LabelledSet, load_set
    from warmline.quality.heldout import PROTOCOLS, evaluate

    try:
        config = Config.from_env()
        labelled = load_set(folder)
        chosen = load_policy(policy or config.policy)
    except (ValueError, PolicyError, OSError) as exc:
        fail(str(exc))
    if retrain not in PROTOCOLS:
        fail(f"--retrain: expected one of {', '.join(PROTOCOLS)}, got {retrain!r}", USAGE)
    if limit is not None:
        labelled = LabelledSet(labelled.name, labelled.path, labelled.cases[:limit],
                               labelled.kb)
    provider = signals or config.signals
    if retrain != "none" and provider != "semantic":
        fail("--retrain needs semantic signals (the heads are part of the model)", USAGE)
    chosen_signals = None  # semantic: evaluate() builds them, with the set's kb
    if provider != "semantic":
        try:
            chosen_signals = build_signals(provider, labelled.kb)
        except ValueError as exc:
            fail(f"--signals: {exc}", USAGE)
    started = time.perf_counter()
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=err, transient=True) as progress:
        task = progress.add_task(f"{labelled.name}: scoring", total=len(labelled.cases))

        def say(message: str) -> None:
            progress.update(task, description=f"{labelled.name}: {message}")

        def tick(n: int) -> None:
            progress.update(task, advance=n, description=f"{labelled.name}: scoring")

        say("embedding" if provider == "semantic" else "scoring")
        try:
            report = evaluate(labelled, policy=chosen, protocol=retrain, signals=chosen_signals,
                              folds=folds, data=data, tick=tick,
                              say=say)
        except (ValueError, RuntimeError) as exc:
            fail(str(exc))
    seconds = time.perf_counter() - started
    if not as_json:
        out.print(report_table(report, f"{labelled.name} ({provider} signals, heads: "
                                       f"{_protocol_name(retrain, folds)}) in {seconds:.0f} s"))
    emit_json(report.to_json(), as_json, json_out)
    if json_out is not None:
        err.print(f"wrote {json_out}")


def _protocol_name(retrain: str, folds: int) -> str:
    return {"none": "shipped", "folds": f"{folds}-fold cross-validation",
            "without-set": "trained without this set"}[retrain]


def report_table(report: Report, title: str) -> Table:
    """The figures as a Rich table: one row per label key, then the accuracies."""
    data = report.to_json()
    table = Table("key", "precision", "recall", "F1", "positives", "turns", title=title)
    for key, row in data["keys"].items():
        table.add_row(key, f"{row['precision']:.3f}", f"{row['recall']:.3f}",
                      f"[bold]{row['f1']:.3f}[/]", str(row["support"]), str(row["n"]))
    for name, label in (("intent_accuracy", "intent accuracy"),
                        ("in_scope_accuracy", "in-scope accuracy"),
                        ("oos_recall", "out-of-scope recall"),
                        ("route_accuracy", "route accuracy")):
        if data[name] is not None:
            table.add_row(label, "", "", f"[bold]{data[name]:.3f}[/]", "", "")
    table.caption = f"{data['turns_scored']} turns scored"
    return table


def train_command(
    data: Annotated[Path, typer.Option(help="folder of labelled sets")] = DEFAULT_DATA,
    out_dir: Annotated[Path | None, typer.Option("--out", help="where heads.npz and "
                                                 "heads.json go (default: the package)")]
    = None,
) -> None:
    """Fit the detection heads on the labelled sets; reproduces the shipped weights."""
    import warmline
    from warmline.quality.train import train

    target = out_dir or Path(warmline.__file__).parent / "data"
    started = time.perf_counter()
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=err, transient=True) as progress:
        task = progress.add_task("reading the sets")
        try:
            heads, provenance = train(
                data, progress=lambda m: progress.update(task, description=m))
        except (ValueError, OSError) as exc:
            fail(str(exc))
    path = heads.save(target, provenance)
    meta = json.loads((target / "heads.json").read_text(encoding="utf-8"))
    out.print(f"[green]wrote[/] {path} ({path.stat().st_size} bytes, sha256 "
              f"{meta['weights_sha256'][:12]}…) from {provenance['examples']} turns in "
              f"{time.perf_counter() - started:.0f} s")


def register(app: typer.Typer) -> None:
    """Add `eval` and `train` to the main command line."""
    app.command("eval")(eval_command)
    app.command("train")(train_command)
