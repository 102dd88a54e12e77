"""`warmline transcripts export|import`: FORMAT.md cases out of and into the store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from warmline.config import Config
from warmline.entrypoints.cli.conventions import database_url, fail

transcripts_app = typer.Typer(help="Transcripts in FORMAT.md shape (label them, then "
                                   "`warmline eval` / `warmline replay --set`).",
                              no_args_is_help=True)
err = Console(stderr=True)
Url = Annotated[str | None, typer.Option(help="database URL (default: WARMLINE_DATABASE_URL)")]


def _config(url: str | None) -> Config:
    return Config.from_env(database_url=database_url(url))


@transcripts_app.command("export")
def export(folder: Annotated[Path, typer.Argument(help="writes FOLDER/cases.jsonl")],
           url: Url = None,
           source: Annotated[str, typer.Option(help="the cases' `source`")] = "warmline",
           ) -> None:
    """Write every stored conversation as a FORMAT.md case (no customer reference)."""
    from warmline.bootstrap import sql_uow_factory
    from warmline.service.transcripts import export_cases, to_jsonl

    config = _config(url)
    folder.mkdir(parents=True, exist_ok=True)
    cases = list(export_cases(sql_uow_factory(config.database_url), source))
    (folder / "cases.jsonl").write_text(to_jsonl(cases), encoding="utf-8")
    err.print(f"{len(cases)} conversations → {folder / 'cases.jsonl'} (add `labels` to "
              f"customer turns, then `warmline eval {folder}`)")


@transcripts_app.command("import")
def import_(folder: Annotated[Path, typer.Argument(help="a FORMAT.md set folder")],
            url: Url = None,
            prefix: Annotated[str, typer.Option(help="prepended to each case id")]
            = "import:") -> None:
    """Play a FORMAT.md set into the store, one conversation per case."""
    from warmline.bootstrap import bootstrap
    from warmline.quality.dataset import load_set
    from warmline.service.transcripts import import_cases

    config = _config(url)
    try:
        labelled = load_set(folder)
    except ValueError as exc:
        fail(str(exc))
    wl = bootstrap(config)
    cases = [{"id": c.id, "turns": [{"role": t.role, "text": t.text,
                                     "confidence": t.confidence, "intent": t.intent}
                                    for t in c.turns]} for c in labelled.cases]
    n = import_cases(wl.bus, cases, prefix)
    err.print(f"{n} conversations imported from {folder}")


def register(app: typer.Typer) -> None:
    app.add_typer(transcripts_app, name="transcripts")
