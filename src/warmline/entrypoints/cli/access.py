"""`warmline users ...` and `warmline tokens ...`: people and machines (docs/security.md).

Passwords are read from a prompt or, for scripts, from standard input
(`--password-stdin`); never from the command line, where they would land in the shell
history and the process list. A token's secret is printed once, on creation.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from warmline.config import Config
from warmline.entrypoints.cli.conventions import USAGE, database_url, fail
from warmline.ports import AccessStore

users_app = typer.Typer(help="People who sign in to the console (roles: agent, supervisor, "
                             "admin).", no_args_is_help=True)
tokens_app = typer.Typer(help="API tokens for machines (roles: bot, metrics, or a "
                              "person's role).", no_args_is_help=True)
out = Console()
err = Console(stderr=True)
Url = Annotated[str | None, typer.Option(help="database URL (default: WARMLINE_DATABASE_URL)")]


def _store(url: str | None) -> AccessStore:
    from warmline.bootstrap import build_access

    return build_access(Config.from_env(database_url=database_url(url)), sql=True)


@users_app.command("add")
def add(name: Annotated[str, typer.Argument(help="sign-in name")],
        role: Annotated[str, typer.Option(help="agent, supervisor or admin")] = "agent",
        agent_id: Annotated[str | None, typer.Option(
            help="the routing's person this user works as (needed for agents)")] = None,
        password_stdin: Annotated[bool, typer.Option(
            help="read the password from standard input")] = False,
        url: Url = None) -> None:
    """Create a person, or replace their role and password (ends their sessions)."""
    from warmline.service.access import AccessError, add_user

    store = _store(url)  # the database first: no password typed for nothing
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    try:
        user = add_user(store, name, role, password, agent_id)
    except AccessError as exc:
        fail(f"--{exc.field.replace('_', '-')}: {exc}" if exc.field != "name"
             else f"NAME: {exc}", USAGE)
    out.print(f"[green]saved[/] {user.name} ({user.role.value}"
              f"{', as ' + user.agent_id if user.agent_id else ''})", highlight=False)


@users_app.command("list")
def list_users(url: Url = None) -> None:
    """Everyone who may sign in."""
    table = Table("name", "role", "agent", "state")
    for u in _store(url).users():
        table.add_row(u.name, u.role.value, u.agent_id or "", "disabled" if u.disabled
                      else "active")
    out.print(table)


@users_app.command("disable")
def disable(name: str, url: Url = None) -> None:
    """Stop a person signing in and end their sessions."""
    from warmline.service.access import AccessError, disable_user

    try:
        ended = disable_user(_store(url), name)
    except AccessError as exc:
        fail(str(exc))
    out.print(f"[green]disabled[/] {name}; {ended} session(s) ended", highlight=False)


@tokens_app.command("create")
def create(name: Annotated[str, typer.Argument(help="what holds it, e.g. shop-bot")],
           role: Annotated[str, typer.Option(help="bot, metrics, agent, supervisor or "
                                                  "admin")] = "bot",
           agent_id: Annotated[str | None, typer.Option(help="for an agent token")] = None,
           url: Url = None) -> None:
    """Issue a token; its secret is printed once (only its SHA-256 is kept)."""
    from warmline.service.access import AccessError, issue_token

    try:
        issued = issue_token(_store(url), name, role, agent_id)
    except AccessError as exc:
        fail(f"--{exc.field.replace('_', '-')}: {exc}", USAGE)
    err.print(f"token {issued.token.id} ({issued.token.role.value}) for {name}; send it as "
              "`Authorization: Bearer <secret>`. The secret, shown once:", highlight=False)
    sys.stdout.write(issued.secret + "\n")


@tokens_app.command("list")
def list_tokens(url: Url = None) -> None:
    """Every token (never its secret)."""
    table = Table("id", "name", "role", "agent", "state", "created")
    for t in _store(url).tokens():
        table.add_row(t.id, t.name, t.role.value, t.agent_id or "",
                      "revoked" if t.revoked else "active",
                      f"{t.created_at:%Y-%m-%d %H:%M}" if t.created_at else "")
    out.print(table)


@tokens_app.command("revoke")
def revoke(token_id: str, url: Url = None) -> None:
    """Revoke a token at once (every process checks the database on each request)."""
    if not _store(url).revoke_token(token_id):
        fail(f"no token {token_id!r} (see `warmline tokens list`)")
    out.print(f"[green]revoked[/] {token_id}", highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users")
    app.add_typer(tokens_app, name="tokens")
