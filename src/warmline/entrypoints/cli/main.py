"""The `warmline` command line (Typer + Rich)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from warmline.domain.errors import PolicyError
from warmline.entrypoints.cli import access as cli_access
from warmline.entrypoints.cli import customer as cli_customer
from warmline.entrypoints.cli import quality as cli_quality
from warmline.entrypoints.cli import record as cli_record
from warmline.entrypoints.cli import replay as cli_replay
from warmline.entrypoints.cli import routing as routing_cli
from warmline.entrypoints.cli import transcripts as cli_transcripts

app = typer.Typer(help="Warmline: clean AI-to-human escalation for commerce support.",
                  no_args_is_help=True, add_completion=False)
policy_app = typer.Typer(help="Check and document escalation policies.", no_args_is_help=True)
db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)
app.add_typer(policy_app, name="policy")
app.add_typer(db_app, name="db")
cli_quality.register(app)  # eval, train
cli_record.register(app)  # import, context, demo-store
routing_cli.register(app)  # simulate, routing explain/sweep
cli_replay.register(app)  # replay (what-if tuning)
cli_transcripts.register(app)  # transcripts export/import
cli_access.register(app)  # users, tokens
cli_customer.register(app)  # customer forget
out = Console()
err = Console(stderr=True)


def _fail(message: str, code: int = 2) -> None:
    err.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(code)


@app.command()
def serve(host: Annotated[str | None, typer.Option(help="listen address")] = None,
          port: Annotated[int | None, typer.Option(help="listen port")] = None,
          workers: Annotated[int, typer.Option(help="worker processes")] = 1) -> None:
    """Serve the HTTP API (settings from WARMLINE_* environment variables)."""
    import uvicorn

    from warmline.config import Config
    from warmline.logs import install

    install()  # the supervisor's own log lines; each worker installs it in bootstrap()
    config = Config.from_env()
    host, port = host or config.host, port or config.port
    shown = _shown(config.database_url)
    err.print(f"Warmline on http://{host}:{port}  (API docs: http://{host}:{port}/docs; "
              f"console: http://{host}:{port}/console; database {shown})")
    uvicorn.run("warmline.entrypoints.http.app:create_app", factory=True, host=host, port=port,
                workers=workers, log_level="info")


@app.command()
def decide(record: Annotated[Path | None, typer.Option(help="JSON commerce record")] = None,
           policy: Annotated[Path | None, typer.Option(help="YAML policy")] = None,
           customer_ref: Annotated[str | None, typer.Option(help="customer in the record")]
           = None) -> None:
    """Judge one conversation read from stdin ({"turns": [...]}) and print the decision."""
    from warmline.entrypoints.cli.decide import decide_case

    try:
        case = json.loads(sys.stdin.read())
    except json.JSONDecodeError as exc:
        _fail(f"stdin: not valid JSON ({exc})")
    try:
        result = decide_case(case, record=record, policy=policy, customer_ref=customer_ref)
    except (ValueError, PolicyError) as exc:
        _fail(str(exc))
    sys.stdout.write(json.dumps(result, indent=2, ensure_ascii=False) + "\n")


@policy_app.command("check")
def policy_check(file: Path) -> None:
    """Validate a policy file; errors name the offending key."""
    from warmline.bootstrap import load_policy

    if not file.is_file():
        _fail(f"{file}: no such file")
    try:
        p = load_policy(file)
    except PolicyError as exc:
        _fail(f"{file}: {exc}")
    out.print(f"[green]ok[/] {file}: policy {p.name!r} version {p.version}")


@policy_app.command("diff")
def policy_diff(a: Path, b: Path) -> None:
    """What changes from policy A to policy B, one line per setting, in words."""
    from warmline.bootstrap import load_policy
    from warmline.domain.measure.policy_diff import describe_changes

    policies = []
    for file in (a, b):
        if not file.is_file():
            _fail(f"{file}: no such file")
        try:
            policies.append(load_policy(file))
        except PolicyError as exc:
            _fail(f"{file}: {exc}")
    lines = describe_changes(*policies)
    out.print(f"{a} ({policies[0].version}) → {b} ({policies[1].version}): "
              f"{len(lines)} change{'s' if len(lines) != 1 else ''}", highlight=False)
    for line in lines:
        out.print(f"  • {line}", highlight=False, markup=False)


def _active_path(to: Path | None) -> Path:
    from warmline.config import Config

    path = to or Config.from_env().policy
    if path is None:
        _fail("no active policy file: pass --to or set WARMLINE_POLICY")
        raise AssertionError
    return path


@policy_app.command("activate")
def policy_activate(
        file: Path,
        by: Annotated[str, typer.Option(help="who activates it (recorded)")],
        to: Annotated[Path | None, typer.Option(help="the active policy file "
                                                     "(default: WARMLINE_POLICY)")] = None,
) -> None:
    """Make FILE the active policy, recording who did it and what changed."""
    from datetime import UTC, datetime

    from warmline.bootstrap import load_policy, parse_policy, policy_log
    from warmline.service.policy_lifecycle import activate

    target = _active_path(to)
    try:
        event = activate(file, target, by=by, log=policy_log(target), now=datetime.now(UTC),
                         parse=parse_policy, default=load_policy)
    except (PolicyError, ValueError, OSError) as exc:
        _fail(f"{file}: {exc}")
        raise
    out.print(f"[green]activated[/] {event.version} (was {event.previous_version}) by "
              f"{event.by}: {len(event.changes)} change(s); restart or reload the server")
    for line in event.changes:
        out.print(f"  • {line}", highlight=False, markup=False)


@policy_app.command("history")
def policy_history(to: Annotated[Path | None, typer.Option(
        help="the active policy file (default: WARMLINE_POLICY)")] = None) -> None:
    """Every activation of the active policy file: when, which version, by whom."""
    from warmline.bootstrap import policy_log

    for e in policy_log(_active_path(to)).history():
        out.print(f"{e.occurred_at:%Y-%m-%d %H:%M} {e.version} (was {e.previous_version}) "
                  f"by {e.by}: {len(e.changes)} change(s)", highlight=False)


def settings_table(test_only: bool = False) -> str:
    """The settings as a Markdown table (docs/configuration.md embeds it verbatim)."""
    from warmline.config import table

    return table(test_only)


def policy_table() -> str:
    """Every policy key as a Markdown table (docs/policy.md embeds it verbatim)."""
    from warmline.domain.policy import reference

    rows = ["| key | default | meaning |", "| --- | --- | --- |"]
    rows += [f"| `{key}` | `{json.dumps(default)}` | {help_} |"
             for key, default, help_ in reference()]
    return "\n".join(rows)


@app.command()
def settings(test_only: Annotated[bool, typer.Option(
        "--test-only", help="the settings of the fault tests instead (never for operators)")]
        = False) -> None:
    """Print every setting (environment variable, default, meaning) as Markdown."""
    sys.stdout.write(settings_table(test_only) + "\n")


@policy_app.command("reference")
def policy_reference() -> None:
    """Print every policy setting with its default and help line (Markdown)."""
    sys.stdout.write(policy_table() + "\n")


@db_app.command("upgrade")
def db_upgrade(url: Annotated[str | None, typer.Option(help="database URL")] = None) -> None:
    """Create or migrate the database to the latest schema."""
    from sqlalchemy.exc import SQLAlchemyError

    from warmline.bootstrap import migrate
    from warmline.config import Config

    url = url or Config.from_env().database_url
    try:
        revision = migrate(url)
    except SQLAlchemyError as exc:
        _fail(f"cannot migrate {_shown(url)}: {type(exc).__name__}: "
              f"{str(getattr(exc, 'orig', exc)).splitlines()[0]}", 1)
    out.print(f"[green]database at revision {revision}[/] ({_shown(url)})")


@db_app.command("current")
def db_current(url: Annotated[str | None, typer.Option(help="database URL")] = None) -> None:
    """Print the database's schema revision and the one this version needs."""
    from warmline.bootstrap import schema_revisions
    from warmline.config import Config

    url = url or Config.from_env().database_url
    now, needed = schema_revisions(url)
    out.print(f"database at revision {now or 'none'}; this version needs {needed}"
              + ("" if now == needed else " (run `warmline db upgrade`)"), highlight=False)


def _shown(url: str) -> str:
    """A database URL fit to print: without its password."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@app.command()
def demo(url: Annotated[str, typer.Option(help="running Warmline API")] = "",
         scenarios: Annotated[Path, typer.Option(help="scenario folder")] = Path("scenarios"),
         token_file: Annotated[Path, typer.Option(
             help="file holding a bot API token (WARMLINE_API_TOKEN wins when set)")] = Path(
             "var/demo-bot.token"),
         ) -> None:
    """Play the scenario suite against a running API and print what was decided."""
    import httpx

    from warmline.config import Config

    try:
        config = Config.from_env()
    except ValueError as exc:
        _fail(str(exc))
        raise
    token = config.api_token
    if not token and token_file.is_file():
        token = token_file.read_text("utf-8").strip()
    headers = {"Authorization": f"Bearer {token}"} if token else {}

    from warmline.entrypoints.cli import scenarios as sc

    base = url or f"http://127.0.0.1:{config.port}"
    try:
        suite = sc.load(scenarios)
    except (OSError, ValueError) as exc:
        _fail(str(exc))
    table = Table("scenario", "turn", "decision", "triggers", "evidence", "next step", "ok",
                  title=f"Warmline scenarios against {base}")
    failures = 0
    try:
        with httpx.Client(base_url=base, timeout=10, headers=headers) as client:
            for r in sc.play_all(client, suite):
                failures += not r.passed
                table.add_row(r.scenario.name, "-" if r.turn is None else str(r.turn),
                              "escalate" if r.escalate else "stay with bot",
                              ", ".join(r.kinds), r.evidence(),
                              r.package["next_step"]["rule"] if r.package else "",
                              "[green]✓[/]" if r.passed else "[red]✗[/]")
    except httpx.HTTPError as exc:
        _fail(f"cannot reach {base}: {exc}. Start it with `make demo` or `warmline serve`.")
    out.print(table)
    out.print(f"{len(suite) - failures}/{len(suite)} scenarios as expected")
    raise typer.Exit(1 if failures else 0)


def main() -> Any:  # pragma: no cover
    return app()
