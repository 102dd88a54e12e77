"""`warmline import`, `warmline context` and `warmline demo-store`: the commerce record
and the warm-handoff package from the command line."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

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


def import_command(
    files: Annotated[list[Path], typer.Argument(help="JSON, CSV or Shopify-export files")],
    format: Annotated[str | None, typer.Option(
        "--format", help="json, csv or shopify (default: from the file)")] = None,
    kind: Annotated[str | None, typer.Option(
        help="for CSV: customers, orders, products... (default: the file's name)")] = None,
    url: Annotated[str | None, typer.Option(help="database URL (default: "
                                                 "WARMLINE_DATABASE_URL)")] = None,
) -> None:
    """Import records into Warmline's database: every bad row is listed, and nothing is
    stored unless every row of every file is good."""
    from warmline.bootstrap import IMPORT_FORMATS as FORMATS
    from warmline.bootstrap import parse_import_file, record_store
    from warmline.service.importing import import_files

    if format is not None and format not in FORMATS:
        fail(f"--format: expected one of {', '.join(FORMATS)}, got {format!r}", USAGE)
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        fail(f"no such file: {', '.join(missing)}")
    store = record_store(database_url(url))
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  console=err, transient=True) as bar:
        task = bar.add_task("reading", total=len(files) + 2)

        def note(stage: str, done: int, total: int) -> None:
            bar.update(task, description=stage, advance=1)

        try:
            report = import_files(files, store=store, parse=parse_import_file, fmt=format,
                                  kind=kind, progress=note)
        except ValueError as exc:
            fail(str(exc))
    if report.errors:
        table = Table("file", "where", "field", "problem", title=f"{len(report.errors)} bad "
                      f"row(s): nothing was stored", title_style="bold red")
        for e in report.errors:
            where = f"{e.section} {e.unit} {e.row}".strip()
            table.add_row(e.source, where, e.field, e.message)
        err.print(table)
        raise typer.Exit(1)
    table = Table("kind", "rows", title=f"imported {', '.join(report.sources)} "
                  "(one transaction)")
    for k, n in report.counts.items():
        table.add_row(k, str(n))
    out.print(table)


def context_command(
    conversation_id: Annotated[str, typer.Argument(help="the conversation's id")],
    as_json: JsonFlag = False,
    json_out: JsonOut = None,
    url: Annotated[str | None, typer.Option(help="database URL (default: "
                                                 "WARMLINE_DATABASE_URL)")] = None,
) -> None:
    """Print a handed-off conversation's context package, with the record read live."""
    from warmline.bootstrap import bootstrap
    from warmline.config import Config
    from warmline.domain.errors import ConversationNotFound
    from warmline.entrypoints.cli.package_view import render
    from warmline.service.views.package import live_view

    config = Config.from_env(database_url=database_url(url), signals="lexical")
    wl = bootstrap(config)
    deps = wl.bus.deps
    try:
        view = live_view(wl.uow, deps.record, conversation_id, deps.clock.now())
    except ConversationNotFound as exc:
        fail(str(exc))
    if view is None:
        fail(f"conversation {conversation_id!r} has not been handed off: it has no context "
             "package")
    emit_json(view, as_json, json_out)  # the JSON the API serves
    if not as_json:
        out.print(render(view))


def demo_store_command(
    load: Annotated[bool, typer.Option(help="import it into the database")] = False,
    out_dir: Annotated[Path | None, typer.Option(
        "--out", help="write record.json, kb.yaml and kb.jsonl here")] = None,
    today: Annotated[str | None, typer.Option(help="build the store as of this date "
                                                   "(YYYY-MM-DD; default today)")] = None,
    url: Annotated[str | None, typer.Option(help="database URL (default: "
                                                 "WARMLINE_DATABASE_URL)")] = None,
    token_out: Annotated[Path, typer.Option(help="with --load: where the demo bot's API "
                                                 "token is written")] = Path(
        "var/demo-bot.token"),
) -> None:
    """Build the Hearthwell demo store (deterministic for a date); load it or write it.

    With --load it also creates the demo team (people in the routing, one user per role)
    and a bot token for `warmline demo`."""
    from importlib import resources

    from warmline.bootstrap import knowledge_base, record_store
    from warmline.demo.store import build
    from warmline.ports import RecordUnavailable

    if not load and out_dir is None:
        fail("nothing to do: pass --load and/or --out DIR", USAGE)
    try:
        now = datetime.combine(date.fromisoformat(today), time(12), tzinfo=UTC) if today \
            else None
    except ValueError:
        fail(f"--today: expected YYYY-MM-DD, got {today!r}", USAGE)
    if load:
        url = database_url(url)  # before the work: a missing database fails at once
    batch = build(now)
    if out_dir is not None:
        from warmline.demo.export import to_json

        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / "record.json").write_text(json.dumps(to_json(batch), indent=1,
                                                        ensure_ascii=False), "utf-8")
        kb_text = resources.files("warmline").joinpath("data/demo_kb.yaml").read_text("utf-8")
        (out_dir / "kb.yaml").write_text(kb_text, "utf-8")
        rows = knowledge_base(None).as_scope_examples()
        (out_dir / "kb.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
        out.print(f"[green]wrote[/] {out_dir}/record.json, kb.yaml, kb.jsonl")
    if load:
        assert url is not None
        try:
            counts = record_store(url).write(batch)
        except (ValueError, RecordUnavailable) as exc:
            fail(f"cannot load the demo store: {exc}")
        out.print("[green]demo store loaded[/]: " + ", ".join(f"{n} {k.replace('_', ' ')}"
                                                              for k, n in counts.items()))
        from warmline.bootstrap import bootstrap
        from warmline.config import Config
        from warmline.demo.staff import load_team

        wl = bootstrap(Config.from_env(database_url=url, signals="lexical"))
        lines = load_team(wl, token_out)
        out.print("[green]demo team[/]: sign in at http://127.0.0.1:8000/console as",
                  highlight=False)
        out.print("\n".join(lines), highlight=False)



def register(app: typer.Typer) -> None:
    app.command("import")(import_command)
    app.command("context")(context_command)
    app.command("demo-store")(demo_store_command)
