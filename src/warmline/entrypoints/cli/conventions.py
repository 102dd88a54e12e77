"""What every command shares: how it fails, which database it opens, how it prints JSON.

Failing: one line on standard error saying what went wrong and what to do, and an exit
code an operator's script can act on.

- 1: the command was understood but the work failed (a database missing, unreachable or
  not migrated; a file's contents, a bad policy among them; a setting; a server).
- 2: the command line itself cannot be understood (typer's usage errors, and an option's
  value we check ourselves, e.g. `--month November`).

Expected failures call `fail()`. Anything else raised by a command is caught once, by
`WarmlineGroup` (the `cls` of the top-level Typer app, so every sub-command is covered),
and turned into the same one line; `warmline --debug COMMAND ...` lets the traceback out
instead.

JSON: a command with a machine-readable result takes `--json` (print it on standard
output, and nothing else there: tables and notes are left out, progress stays on
standard error) and `--json-out FILE` (write it to FILE, beside the usual output).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperGroup
from typer.exceptions import TyperException

FAILED = 1
USAGE = 2

err = Console(stderr=True)


def fail(message: str, code: int = FAILED) -> NoReturn:
    """Print `error: message` as one line (never wrapped, no markup) and exit with `code`."""
    err.print(f"[bold red]error:[/] {escape(' '.join(message.split()))}", soft_wrap=True,
              highlight=False)
    raise typer.Exit(code)


def explain(exc: BaseException) -> str:
    """An unexpected exception as one line: what happened and what to do."""
    from sqlalchemy.exc import SQLAlchemyError

    from warmline.config import SettingError
    from warmline.domain.errors import PolicyError
    from warmline.ports import DatabaseNotReady, RecordUnavailable

    first = _first_line(exc)
    if isinstance(exc, DatabaseNotReady):
        return first
    if isinstance(exc, SettingError):
        return f"{first} (fix the variable; every setting: `warmline settings`)"
    if isinstance(exc, PolicyError):
        return f"policy: {first} (check a file with `warmline policy check FILE`)"
    if isinstance(exc, RecordUnavailable):
        return f"the commerce record is unavailable: {first} (check WARMLINE_RECORD)"
    if isinstance(exc, SQLAlchemyError):
        cause = _first_line(getattr(exc, "orig", None) or exc)
        return (f"the database failed: {cause} (is it running and migrated? "
                "`warmline db current` tells)")
    if isinstance(exc, OSError) and exc.filename is not None:
        return f"{exc.filename}: {exc.strerror or first}"
    return (f"unexpected {type(exc).__name__}: {first} (run again with `warmline --debug` "
            "for the traceback, and report it)")


def _first_line(exc: BaseException | Any) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


class WarmlineGroup(TyperGroup):
    """The top-level command group: an exception a command did not expect becomes one line
    and exit code 1, unless `--debug` was given."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (TyperException, typer.Exit, typer.Abort):  # usage errors, exits: typer's
            raise
        except Exception as exc:
            if ctx.params.get("debug"):
                raise
            fail(explain(exc))


def database_url(url: str | None, *, migrated: bool = True) -> str:
    """The database a command works on (`--url`, else WARMLINE_DATABASE_URL), checked
    before anything opens it: missing, unreachable or not migrated is one line and exit 1,
    and no read command leaves an empty SQLite file behind."""
    from warmline.bootstrap import check_database
    from warmline.config import Config
    from warmline.ports import DatabaseNotReady

    try:
        return check_database(url or Config.from_env().database_url, migrated=migrated)
    except DatabaseNotReady as exc:
        fail(str(exc))


JsonFlag = Annotated[bool, typer.Option(
    "--json", help="print the result as JSON on standard output (and nothing else there)")]
JsonOut = Annotated[Path | None, typer.Option(
    "--json-out", help="also write the result as JSON to this file", metavar="FILE")]


def emit_json(data: Any, as_json: bool, json_out: Path | None) -> None:
    """The result as JSON: printed with `--json`, written with `--json-out FILE`."""
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(text, encoding="utf-8")
    if as_json:
        sys.stdout.write(text)
