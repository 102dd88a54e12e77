"""Routing commands: `warmline simulate`, `warmline routing explain`, `warmline routing sweep`.

Registered on the main Typer app by `register(app)` (one line in cli.py).
"""

from __future__ import annotations

import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from warmline.domain.errors import PolicyError
from warmline.entrypoints.cli.conventions import (
    USAGE,
    JsonFlag,
    JsonOut,
    database_url,
    emit_json,
    fail,
)

routing_app = typer.Typer(help="Routing: explain a route, apply due cascades.",
                          no_args_is_help=True)
out = Console()
err = Console(stderr=True)


def _policy(path: Path | None) -> Any:
    from warmline.bootstrap import load_policy
    from warmline.config import Config

    try:
        return load_policy(path or Config.from_env().policy)
    except (PolicyError, OSError) as exc:
        fail(f"policy: {exc}")


def simulate(plan: Annotated[Path | None, typer.Option(
                 help="staffing plan YAML (default: the demo plan)")] = None,
             policy: Annotated[Path | None, typer.Option(help="YAML policy")] = None,
             seed: Annotated[int | None, typer.Option(help="override the plan's seed")] = None,
             svg: Annotated[Path | None, typer.Option(
                 help="write the time-to-human histograms as SVG here")] = None,
             as_json: JsonFlag = False,
             json_out: JsonOut = None) -> None:
    """Simulate a day of handoffs on the policy's router: time-to-human per lane,
    abandonment, SLA attainment and the error of the wait estimates."""
    from dataclasses import replace

    from warmline.simulation import report as rep
    from warmline.simulation.engine import DAY
    from warmline.simulation.engine import simulate as run
    from warmline.simulation.plan import load_plan

    try:
        day = load_plan(plan)
    except (PolicyError, OSError) as exc:
        fail(f"{plan or 'demo plan'}: {exc}")
    if seed is not None:
        day = replace(day, seed=seed)
    pol = _policy(policy)
    # the tables need the room; with --json, standard output carries the JSON alone
    out = Console(width=max(Console().width, 120), quiet=as_json)
    people = sum(s.count for s in day.staff)
    out.print(f"[bold]{day.name}[/] — {day.day.isoformat()} ({day.timezone}), seed {day.seed}; "
              f"~{day.expected_arrivals:.0f} escalations expected, {people} people on "
              f"{len(day.staff)} shifts; policy {pol.version}")
    started = time.perf_counter()
    with Progress(TextColumn("simulating"), BarColumn(), TextColumn("{task.description}"),
                  TimeElapsedColumn(), console=err, transient=True) as bar:
        task = bar.add_task("", total=DAY)

        def tick(t: float) -> None:
            bar.update(task, completed=min(t, DAY),
                       description=f"{int(t // 3600) % 24:02d}:{int(t % 3600 // 60):02d}"
                       + (" (day 2)" if t >= DAY else ""))

        stories = run(day, pol, tick)
    took = time.perf_counter() - started
    lanes = rep.by_lane(stories)
    total = rep.lane_figures("all lanes", stories)
    out.print(_lane_table(lanes, total, pol))
    out.print(_histogram(total))
    out.print(_eta_table(stories))
    out.print(f"{len(stories)} handoffs simulated in {took:.2f} s. Time-to-human runs from "
              "routing to a person confirming; in-hours figures leave out handoffs deferred "
              "to an opening (counted under 'deferred'). SLA = accepted within target / "
              "(accepted + abandoned after target).")
    if svg is not None:
        errors = [e for f in lanes for e in f.eta_errors_min]
        svg.write_text(rep.svg(lanes, errors, f"{day.name} — time to a human per lane"),
                       encoding="utf-8")
        out.print(f"histograms written to {svg}")
    emit_json(_figures(lanes, total, stories), as_json, json_out)
    if json_out is not None:
        out.print(f"figures written to {json_out}")


def _m(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _lane_table(lanes: list[Any], total: Any, pol: Any) -> Table:
    table = Table(title="time to a human per lane (minutes; in-hours handoffs)",
                  caption="n: routed to the lane · taken: a person confirmed · left: "
                  "abandoned · deferred: out of hours · ETA: median |estimate − actual| · "
                  "histogram buckets <1, 1–2, 2–5, 5–10, 10–15, 15–30, 30–60, 60+ min")
    for name in ("lane", "n", "taken", "left", "deferred", "overflowed", "p50", "p90",
                 "p95", "SLA", "met", "ETA", "histogram"):
        table.add_column(name, no_wrap=True, justify="left" if name in (
            "lane", "histogram") else "right")
    for f in [*lanes, total]:
        spec = pol.routing.queues.get(f.lane)
        name = f.lane + (" [yellow](fallback)[/]" if spec is not None and spec.fallback
                         else "")
        table.add_row(
            f"[bold]{name}[/]" if f is total else name, str(f.handoffs), str(f.accepted),
            f"{f.abandonment:.1%}", str(f.deferred), str(f.overflowed), _m(f.wait(50)),
            _m(f.wait(90)), _m(f.wait(95)),
            f"{spec.sla_seconds / 60:.0f} min" if spec is not None else "",
            "–" if f.sla_attainment is None else f"{f.sla_attainment:.0%}",
            _m(f.eta_mae), rep_sparkline(f.waits_min))
    return table


def rep_sparkline(values: Any) -> str:
    from warmline.simulation.report import sparkline

    return sparkline(values)


def _histogram(total: Any) -> Table:
    from warmline.simulation.report import bar_rows

    table = Table("minutes", "handoffs", "", title="time to a human, all lanes (in hours)",
                  box=None)
    for label, n, bar in bar_rows(total.waits_min):
        table.add_row(label, str(n), f"[cyan]{bar}[/]")
    return table


def _eta_groups(stories: list[Any]) -> list[tuple[str, list[float]]]:
    def err(s: Any) -> float:
        return float((s.eta - s.wait) / 60)

    done = [s for s in stories if s.wait is not None and s.eta is not None]
    return [
        ("every accepted handoff", [err(s) for s in done]),
        ("in hours", [err(s) for s in done if s.deferred is None]),
        ("in hours, waited ≥ 1 min", [err(s) for s in done
                                      if s.deferred is None and s.wait >= 60]),
        ("deferred to an opening", [err(s) for s in done if s.deferred is not None]),
    ]


def _eta_table(stories: list[Any]) -> Table:
    from warmline.simulation.report import percentile

    table = Table("handoffs", "n", "median |error|", "p90 |error|", "bias (median)",
                  title="ETA error: the estimate given at routing − the actual wait (minutes)")
    for name, errors in _eta_groups(stories):
        absolute = [abs(e) for e in errors]
        table.add_row(name, str(len(errors)), _m(percentile(absolute, 50), 2),
                      _m(percentile(absolute, 90), 2), _m(percentile(errors, 50), 2))
    return table


def _figures(lanes: list[Any], total: Any, stories: list[Any]) -> dict[str, Any]:
    from warmline.simulation.report import percentile

    def lane(f: Any) -> dict[str, Any]:
        return {"handoffs": f.handoffs, "accepted": f.accepted, "abandoned": f.abandoned,
                "deferred": f.deferred, "overflowed": f.overflowed,
                "abandonment": f.abandonment, "wait_p50_min": f.wait(50),
                "wait_p90_min": f.wait(90), "wait_p95_min": f.wait(95),
                "sla_attainment": f.sla_attainment, "eta_mae_min": f.eta_mae,
                "eta_bias_min": f.eta_bias}

    return {"lanes": {f.lane: lane(f) for f in lanes}, "all": lane(total),
            "eta_error_min": {name: {"n": len(e),
                                     "median_abs": percentile([abs(x) for x in e], 50),
                                     "p90_abs": percentile([abs(x) for x in e], 90),
                                     "bias": percentile(e, 50)}
                              for name, e in _eta_groups(stories)}}


@routing_app.command("explain")
def explain(topics: Annotated[list[str] | None, typer.Option("--topic")] = None,
            tags: Annotated[list[str] | None, typer.Option("--tag")] = None,
            triggers: Annotated[list[str] | None, typer.Option("--trigger")] = None,
            language: Annotated[str | None, typer.Option()] = None,
            value: Annotated[float | None, typer.Option(help="customer lifetime value")] = None,
            product_line: Annotated[str | None, typer.Option()] = None,
            route_hint: Annotated[str | None, typer.Option()] = None,
            intent: Annotated[str | None, typer.Option()] = None,
            sentiment: Annotated[float | None, typer.Option()] = None,
            channel: Annotated[str, typer.Option()] = "web",
            at: Annotated[str | None, typer.Option(help="ISO time (default: now)")] = None,
            policy: Annotated[Path | None, typer.Option(help="YAML policy")] = None) -> None:
    """Route a described handoff and show every rule tried, in order, and why."""
    from warmline.domain.routing.route import RoutingInput, route

    pol = _policy(policy)
    try:
        when = datetime.fromisoformat(at) if at else datetime.now(UTC)
    except ValueError:
        fail(f"--at: not an ISO time: {at!r}", USAGE)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    item = RoutingInput(channel=channel, topics=frozenset(topics or ()), intent=intent,
                        route_hint=route_hint, product_line=product_line,
                        triggers=frozenset(triggers or ()), sentiment=sentiment,
                        customer_value=value, customer_tags=frozenset(tags or ()),
                        language=language)
    decision = route(pol, item, when)
    table = Table("#", "rule", "", "why", title=f"routing under policy {pol.version}")
    for i, check in enumerate(decision.trace, 1):
        table.add_row(str(i), check.rule, "[green]match[/]" if check.matched else "–",
                      check.why)
    out.print(table)
    lane = "[yellow]fallback[/] " if decision.fallback else ""
    out.print(f"→ {lane}queue [bold]{decision.queue}[/], priority {decision.priority}, "
              f"rule {decision.rule}: {decision.reason}")


@routing_app.command("sweep")
def sweep(every: Annotated[float, typer.Option(
        help="repeat every N seconds until interrupted (0: once)")] = 0.0) -> None:
    """One sweeper pass (as `warmline serve` runs every WARMLINE_SWEEP_SECONDS): due
    cascade steps, alerts, lapsed leases, out-of-hours rules, promised-wait updates and
    owed sends left pending."""
    from warmline.bootstrap import bootstrap
    from warmline.config import Config

    wl = bootstrap(Config.from_env(database_url=database_url(None)))
    while True:
        done = wl.sweep()
        sys.stdout.write(json.dumps({**done.routing.__dict__,
                                     "wait_updates": done.wait_updates,
                                     "sends_due": done.sends_due}) + "\n")
        sys.stdout.flush()
        if every <= 0:
            return
        time.sleep(every)


def register(app: typer.Typer) -> None:
    app.command()(simulate)
    app.add_typer(routing_app, name="routing")
