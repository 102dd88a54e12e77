"""The `warmline` command line (Typer + Rich)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from warmline import __version__
from warmline.domain.errors import PolicyError
from warmline.entrypoints.cli import access as cli_access
from warmline.entrypoints.cli import customer as cli_customer
from warmline.entrypoints.cli import quality as cli_quality
from warmline.entrypoints.cli import record as cli_record
from warmline.entrypoints.cli import replay as cli_replay
from warmline.entrypoints.cli import routing as routing_cli
from warmline.entrypoints.cli import transcripts as cli_transcripts
from warmline.entrypoints.cli.conventions import USAGE, WarmlineGroup, database_url, fail

app = typer.Typer(help="Warmline: clean AI-to-human escalation for commerce support.",
                  no_args_is_help=True, add_completion=False, cls=WarmlineGroup)
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


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"warmline {__version__}\n")
        raise typer.Exit(0)


@app.callback()
def options(
    version: Annotated[bool, typer.Option(
        "--version", is_eager=True, callback=_version, help="print the version and exit")]
    = False,
    debug: Annotated[bool, typer.Option(
        "--debug", help="show the traceback of an unexpected error instead of one line")]
    = False,
) -> None:
    """Warmline: clean AI-to-human escalation for commerce support.

    Errors are one line on standard error; the exit code is 1 when the work failed and 2
    when the command line is wrong."""


@app.command()
def serve(host: Annotated[str | None, typer.Option(help="listen address")] = None,
          port: Annotated[int | None, typer.Option(help="listen port")] = None,
          workers: Annotated[int, typer.Option(help="worker processes", min=1)] = 1) -> None:
    """Serve the HTTP API (settings from WARMLINE_* environment variables)."""
    import logging
    import logging.config

    import uvicorn

    from warmline.bootstrap import database_problem
    from warmline.config import Config
    from warmline.logs import install, serve_log_config

    install()  # the supervisor's own log lines; each worker installs it in bootstrap()
    config = Config.from_env()
    host, port = host or config.host, port or config.port
    banner = (f"Warmline on http://{host}:{port}  (API docs: http://{host}:{port}/docs; "
              f"console: http://{host}:{port}/console; database {_shown(config.database_url)})")
    problem = database_problem(config.database_url)
    warning = f"{problem} (serving anyway: /healthz answers 503 until it is fixed)"
    log_config = serve_log_config(config.log_format)
    if log_config is not None:  # JSON lines from the first one
        logging.config.dictConfig(log_config)
        logging.getLogger("warmline.serve").info(banner)
        if problem:
            logging.getLogger("warmline.serve").warning(warning)
    else:
        err.print(banner, highlight=False, soft_wrap=True)
        if problem:
            err.print(f"[yellow]warning:[/] {escape(warning)}", highlight=False, soft_wrap=True)
    uvicorn.run("warmline.entrypoints.http.app:create_app", factory=True, host=host, port=port,
                workers=workers, log_level="info",
                log_config=log_config if log_config is not None else uvicorn.config.LOGGING_CONFIG)


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
        fail(f"stdin: not valid JSON ({exc})")
    try:
        result = decide_case(case, record=record, policy=policy, customer_ref=customer_ref)
    except PolicyError as exc:
        fail(f"{policy or 'policy'}: {exc}")
    except ValueError as exc:
        fail(str(exc))
    sys.stdout.write(json.dumps(result, indent=2, ensure_ascii=False) + "\n")


def _policy_file(file: Path) -> Any:
    """The policy in `file`, or the one-line error (a bad policy is a failure: exit 1)."""
    from warmline.bootstrap import load_policy

    if not file.is_file():
        fail(f"{file}: no such file")
    try:
        return load_policy(file)
    except PolicyError as exc:
        fail(f"{file}: {exc}")


@policy_app.command("check")
def policy_check(file: Path) -> None:
    """Validate a policy file; errors name the offending key."""
    p = _policy_file(file)
    out.print(f"[green]ok[/] {file}: policy {p.name!r} version {p.version}")


@policy_app.command("diff")
def policy_diff(a: Path, b: Path) -> None:
    """What changes from policy A to policy B, one line per setting, in words."""
    from warmline.domain.measure.policy_diff import describe_changes

    policies = [_policy_file(a), _policy_file(b)]
    lines = describe_changes(*policies)
    out.print(f"{a} ({policies[0].version}) → {b} ({policies[1].version}): "
              f"{len(lines)} change{'s' if len(lines) != 1 else ''}", highlight=False)
    for line in lines:
        out.print(f"  • {line}", highlight=False, markup=False)


def _active_path(to: Path | None) -> Path:
    from warmline.config import Config

    path = to or Config.from_env().policy
    if path is None:
        fail("no active policy file: pass --to FILE or set WARMLINE_POLICY", USAGE)
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
        fail(f"{file}: {exc}")
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
        fail(f"cannot migrate {_shown(url)}: {type(exc).__name__}: "
             f"{str(getattr(exc, 'orig', exc)).splitlines()[0]} (check --url / "
             "WARMLINE_DATABASE_URL, that the database server runs and that the folder "
             "of an SQLite file exists)")
    out.print(f"[green]database at revision {revision}[/] ({_shown(url)})")


@db_app.command("current")
def db_current(url: Annotated[str | None, typer.Option(help="database URL")] = None) -> None:
    """Print the database's schema revision and the one this version needs."""
    from warmline.bootstrap import schema_revisions

    url = database_url(url, migrated=False)
    now, needed = schema_revisions(url)
    out.print(f"database at revision {now or 'none'}; this version needs {needed}"
              + ("" if now == needed else " (run `warmline db upgrade`)"), highlight=False)


def _shown(url: str) -> str:
    """A database URL fit to print: without its password."""
    from warmline.bootstrap import shown_url

    return shown_url(url)


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
    from warmline.entrypoints.cli import scenarios as sc

    config = Config.from_env()
    base = url or f"http://127.0.0.1:{config.port}"
    try:
        suite = sc.load(scenarios)
    except (OSError, ValueError) as exc:
        fail(str(exc))
    if not suite:
        fail(f"no scenarios in {scenarios}/ (*.yaml): run from the Warmline repository, or "
             "pass --scenarios DIR")
    token = config.api_token
    if not token:
        if not token_file.is_file():
            fail(f"no API token: {token_file} does not exist (`make demo` writes it), and "
                 "WARMLINE_API_TOKEN is not set; pass --token-file FILE or set it")
        token = token_file.read_text("utf-8").strip()
    table = Table("scenario", "turn", "decision", "triggers", "evidence", "next step", "ok",
                  title=f"Warmline scenarios against {base}")
    failures = 0
    try:
        with httpx.Client(base_url=base, timeout=10,
                          headers={"Authorization": f"Bearer {token}"}) as client:
            for r in sc.play_all(client, suite):
                failures += not r.passed
                table.add_row(r.scenario.name, "-" if r.turn is None else str(r.turn),
                              "escalate" if r.escalate else "stay with bot",
                              ", ".join(r.kinds), r.evidence(),
                              r.package["next_step"]["rule"] if r.package else "",
                              "[green]✓[/]" if r.passed else "[red]✗[/]")
    except httpx.HTTPError as exc:
        fail(f"cannot reach {base}: {exc}. Start it with `make demo` or `warmline serve`, "
             "or pass --url")
    except sc.Refused as exc:
        fail(f"{base} refused the scenarios: {exc}")
    out.print(table)
    out.print(f"{len(suite) - failures}/{len(suite)} scenarios as expected")
    raise typer.Exit(1 if failures else 0)


def main() -> Any:  # pragma: no cover
    return app()
