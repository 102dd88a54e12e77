"""`warmline customer forget REF`: a customer's erasure request (docs/security.md)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from warmline.config import Config
from warmline.entrypoints.cli.conventions import database_url, fail

customer_app = typer.Typer(help="One customer's data in Warmline.", no_args_is_help=True)
out = Console()
err = Console(stderr=True)


@customer_app.command("forget")
def forget(ref: Annotated[str, typer.Argument(help="the customer's reference in the record")],
           conversation: Annotated[list[str] | None, typer.Option(
               help="also erase this conversation (e.g. an anonymous web chat the customer "
                    "names); repeatable")] = None,
           yes: Annotated[bool, typer.Option("--yes", help="do not ask to confirm")] = False,
           url: Annotated[str | None, typer.Option(
               help="database URL (default: WARMLINE_DATABASE_URL)")] = None) -> None:
    """Erase a customer's personal data: their conversations' words, packages and
    references (renamed to a pseudonym), and their rows in the record copy. Counts,
    times, queues, scores and so the metrics are kept. Cannot be undone."""
    from warmline.bootstrap import eraser as eraser_for

    config = Config.from_env(database_url=database_url(url))
    eraser = eraser_for(config.database_url)
    ids = sorted(set(eraser.conversations_of(ref)) | set(conversation or ()))
    out.print(f"customer {ref}: {len(ids)} conversation(s) to erase"
              + (f" ({', '.join(ids)})" if ids else ""), highlight=False)
    if not yes and not typer.confirm("Erase them and the customer's record rows? This "
                                     "cannot be undone", default=False):
        raise typer.Exit(1)
    try:
        done = eraser.forget(ref, ids)
    except LookupError as exc:
        fail(f"--conversation: {exc}; nothing was erased")
    out.print(f"[green]forgotten[/]: {len(done.conversations)} conversation(s), "
              f"{done.events} event(s) erased; record rows deleted: "
              + ", ".join(f"{n} {k}" for k, n in done.record_rows.items() if n),
              highlight=False)
    if config.record.startswith(("http://", "https://")):
        out.print("The live commerce API is the shop's own: erase the customer there too.")


def register(app: typer.Typer) -> None:
    app.add_typer(customer_app, name="customer")
