"""`warmline replay` (what-if tuning, docs/replay.md) and `warmline report` (the monthly
review, docs/metrics.md): the support lead's monthly tools."""

from __future__ import annotations

import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from warmline.domain.measure.replay import Change, Scores
from warmline.entrypoints.cli.conventions import (
    USAGE,
    JsonFlag,
    JsonOut,
    database_url,
    emit_json,
    fail,
)

out = Console()
err = Console(stderr=True)
KINDS = ("earlier", "later", "dropped", "added", "rerouted", "same")


def _since(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        fail(f"--since: expected a date like 2026-11-01, got {text!r}", USAGE)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=err, transient=True)


def replay_command(
    policy: Annotated[Path, typer.Option(help="the candidate YAML policy")],
    since: Annotated[str | None, typer.Option(help="only conversations started on or after "
                                                   "this date (ISO 8601)")] = None,
    labelled: Annotated[Path | None, typer.Option("--set", help="replay a FORMAT.md set "
                                                  "instead of the stored conversations")]
    = None,
    baseline: Annotated[Path | None, typer.Option(help="for --set: the policy to compare "
                                                  "with (default: WARMLINE_POLICY)")] = None,
    url: Annotated[str | None, typer.Option(help="database URL (default: "
                                                 "WARMLINE_DATABASE_URL)")] = None,
    signals: Annotated[str | None, typer.Option(help="semantic or lexical "
                                                     "(default: WARMLINE_SIGNALS)")] = None,
    as_json: JsonFlag = False,
    json_out: JsonOut = None,
) -> None:
    """Re-run detectors and router under a candidate policy; show what would change."""
    from warmline.bootstrap import build_record, build_signals, load_policy, sql_uow_factory
    from warmline.config import Config
    from warmline.domain.errors import PolicyError
    from warmline.quality.dataset import load_set
    from warmline.quality.replay import Replayer, replay_set, replay_store

    config = Config.from_env(database_url=url) if url else Config.from_env()
    if labelled is None:  # the stored conversations: the database must be there
        database_url(config.database_url)
    try:
        candidate = load_policy(policy)
        current = load_policy(baseline or config.policy)
    except (PolicyError, OSError) as exc:
        fail(f"policy: {exc}")
    sig = build_signals(signals or config.signals, config.kb)
    started = time.perf_counter()
    result: dict[str, Any] = {"candidate": candidate.version}
    with _progress() as bar:
        if labelled is not None:
            try:
                data = load_set(labelled)
            except ValueError as exc:
                fail(str(exc))
            task = bar.add_task(f"replaying {data.name}", total=len(data.cases))
            sr = replay_set(data, Replayer(current, sig), Replayer(candidate, sig),
                            tick=lambda n: bar.advance(task, n))
            changes, turns = sr.changes, sr.customer_turns
            result["scores"] = {current.version: _scores(sr.baseline),
                                candidate.version: _scores(sr.candidate)}
            result["baseline"] = current.version
        else:
            uow = sql_uow_factory(config.database_url)
            task = bar.add_task("replaying stored conversations", total=None)
            st = replay_store(uow, Replayer(candidate, sig, build_record(config)),
                              since=_since(since), tick=lambda n: bar.advance(task, n))
            changes, turns = st.changes, st.customer_turns
            result["baseline"] = "as it ran"
    seconds = time.perf_counter() - started
    if not as_json:
        _print(changes, result, turns, seconds)
    result.update(conversations=len(changes), customer_turns=turns,
                  counts=dict(Counter(c.kind for c in changes)),
                  changes=[{"conversation_id": c.conversation_id, "kind": c.kind,
                            "what": c.describe()} for c in changes if c.kind != "same"])
    emit_json(result, as_json, json_out)


def _scores(s: Scores) -> dict[str, Any]:
    return {"precision": s.precision, "recall": s.recall, "timing": s.timing,
            "tp": s.tp, "fp": s.fp, "fn": s.fn, "timed": s.timed}


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{x:.1%}"


def _print(changes: list[Change], result: dict[str, Any], turns: int, seconds: float) -> None:
    counts = Counter(c.kind for c in changes)
    out.print(f"{len(changes)} conversations, {turns} customer turns replayed in "
              f"{seconds:.1f}s; candidate {result['candidate']} vs {result['baseline']}")
    summary = Table("change", "conversations")
    for kind in KINDS:
        summary.add_row(kind, str(counts.get(kind, 0)))
    out.print(summary)
    changed = [c for c in changes if c.kind != "same"]
    if changed:
        table = Table("conversation", "change", "what", title="what would change")
        for c in changed:
            table.add_row(c.conversation_id, c.kind, c.describe())
        out.print(table)
    for version, s in result.get("scores", {}).items():
        out.print(f"{version}: precision {_pct(s['precision'])}, recall "
                  f"{_pct(s['recall'])}, timing {_pct(s['timing'])} over {s['timed']}")




def report_command(
    month: Annotated[str, typer.Option(help="the month to review, e.g. 2026-11")],
    out_dir: Annotated[Path, typer.Option("--out", help="writes review-MONTH.html and .csv "
                                                         "here")] = Path("var/reports"),
    url: Annotated[str | None, typer.Option(help="database URL (default: "
                                                 "WARMLINE_DATABASE_URL)")] = None,
    as_json: JsonFlag = False,
    json_out: JsonOut = None,
) -> None:
    """The monthly review: figures, charts and transcripts to read (HTML + CSV); the
    figures of the month and the one before as JSON with --json / --json-out."""
    from warmline.bootstrap import sql_uow_factory
    from warmline.entrypoints.cli.report_html import render
    from warmline.service.views.metrics import load_histories
    from warmline.service.views.report import (
        figure_rows,
        month_bounds,
        previous,
        review,
        to_csv,
    )

    try:
        month_bounds(month)
    except ValueError:
        fail(f"--month: expected YYYY-MM, got {month!r}", USAGE)
    histories = load_histories(sql_uow_factory(database_url(url)))
    r = review(histories, month, now=datetime.now(UTC))
    out_dir.mkdir(parents=True, exist_ok=True)
    html, table = out_dir / f"review-{month}.html", out_dir / f"review-{month}.csv"
    html.write_text(render(r), encoding="utf-8")
    table.write_text(to_csv(r), encoding="utf-8")
    emit_json({"month": month, "figures": dict(figure_rows(r.figures)),
               "previous_month": previous(month), "previous": dict(figure_rows(r.before)),
               "html": str(html), "csv": str(table)}, as_json, json_out)
    if not as_json:
        out.print(f"{r.figures.conversations} conversations, {len(r.figures.handoffs)} "
                  f"handoffs in {month} → {html} and {table}", highlight=False)


def history_command(
    url: Annotated[str, typer.Option(help="database URL to fill (migrated, empty)")],
    start: Annotated[str, typer.Option(help="first day (ISO date)")] = "2026-10-25",
    days: Annotated[int, typer.Option(min=1)] = 37,
    per_day: Annotated[int, typer.Option(min=1)] = 12,
    seed: Annotated[int, typer.Option()] = 7,
) -> None:
    """Fill a store with a synthetic history (demo-store customers, the real engine,
    human waits from `warmline simulate`) to try `report` and `replay` on."""
    from warmline.bootstrap import build_signals, load_policy, sql_uow_factory
    from warmline.simulation.history import store_history, synthetic_history

    url = database_url(url)
    first = _since(start)
    assert first is not None
    history = synthetic_history(first, days=days, per_day=per_day, seed=seed,
                                policy=load_policy(), signals=build_signals("lexical"))
    n = store_history(sql_uow_factory(url), history)
    out.print(f"{n} synthetic conversations from {start} over {days} days → {url}",
              highlight=False)


def register(app: typer.Typer) -> None:
    app.command("replay")(replay_command)
    app.command("report")(report_command)
    app.command("history")(history_command)
