"""Every error the command line meets is one line on standard error — what went wrong and
what to do — with a non-zero exit code (1: the work failed; 2: the command line is
wrong), no traceback unless `--debug`, and no database file left behind by a command
that only reads. Run as an operator runs it: the installed `warmline` in a subprocess."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from warmline.entrypoints.cli.conventions import WarmlineGroup, fail
from warmline.entrypoints.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
WARMLINE = Path(sys.executable).parent / "warmline"


def run(args: list[str], cwd: Path, env: dict[str, str] | None = None,
        stdin: str = "") -> subprocess.CompletedProcess[str]:
    """`warmline ARGS` as a process in `cwd`, with no WARMLINE_* variable but `env`'s."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("WARMLINE_")}
    return subprocess.run([str(WARMLINE), *args], cwd=cwd, env={**clean, **(env or {})},
                          input=stdin, capture_output=True, text=True, timeout=120)


def invoke(args: list[str], cwd: Path, env: dict[str, str] | None = None,
           stdin: str = "") -> subprocess.CompletedProcess[str]:
    """The same in this process (the same command group; a process costs seconds)."""
    unset: dict[str, str | None] = {k: None for k in os.environ if k.startswith("WARMLINE_")}
    here = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(app, args, env={**unset, **(env or {})}, input=stdin)
    finally:
        os.chdir(here)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return subprocess.CompletedProcess(args, result.exit_code, result.stdout, result.stderr)


def one_line_error(done: subprocess.CompletedProcess[str], code: int = 1) -> str:
    """The single `error: ...` line the command printed, after checking the exit code."""
    lines = done.stderr.strip().splitlines()
    assert done.returncode == code, (done.returncode, done.stdout, done.stderr)
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    return lines[0]


def test_history_on_an_unmigrated_file_says_to_migrate_it_in_one_line(
        tmp_path: Path) -> None:
    db = tmp_path / "empty.db"
    sqlite3.connect(db).close()
    line = one_line_error(run(["history", "--url", f"sqlite:///{db}"], tmp_path))
    assert "not migrated" in line and f"warmline db upgrade --url sqlite:///{db}" in line


def test_context_without_a_database_url_creates_no_file_and_says_where_it_looked(
        tmp_path: Path) -> None:
    line = one_line_error(run(["context", "web-1"], tmp_path))
    assert "no database at warmline.db" in line and "WARMLINE_DATABASE_URL" in line
    assert list(tmp_path.iterdir()) == []  # the read command left nothing behind


@pytest.mark.parametrize("command", [
    ["db", "current"], ["users", "list"], ["tokens", "list"], ["report", "--month", "2026-11"],
    ["transcripts", "export", "out"], ["customer", "forget", "c-1", "--yes"],
    ["replay", "--policy", str(ROOT / "src/warmline/default_policy.yaml")],
])
def test_no_command_but_db_upgrade_creates_a_missing_sqlite_database(
        tmp_path: Path, command: list[str]) -> None:
    line = one_line_error(invoke(command, tmp_path,
                              {"WARMLINE_DATABASE_URL": "sqlite:///var/missing.db"}))
    assert "no database at var/missing.db" in line
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("url", "said"), [
    ("foo", "not a database URL: 'foo'"),
    ("postgresql+psycopg://warmline:secret@127.0.0.1:1/x", "cannot open the database"),
])
def test_a_wrong_url_is_one_line_naming_it_without_its_password(
        tmp_path: Path, url: str, said: str) -> None:
    line = one_line_error(invoke(["users", "list", "--url", url], tmp_path))
    assert said in line and "--url" in line and "secret" not in line


def test_a_missing_token_file_for_the_demo_is_one_line(tmp_path: Path) -> None:
    line = one_line_error(invoke(["demo", "--scenarios", str(ROOT / "scenarios"),
                               "--token-file", "nowhere.token"], tmp_path))
    assert "nowhere.token does not exist" in line and "WARMLINE_API_TOKEN" in line


def test_a_setting_read_from_a_missing_file_is_one_line_naming_the_variable(
        tmp_path: Path) -> None:
    line = one_line_error(invoke(["users", "list"], tmp_path,
                              {"WARMLINE_ADMIN_TOKEN_FILE": str(tmp_path / "gone")}))
    assert "WARMLINE_ADMIN_TOKEN_FILE: cannot read" in line


def test_the_demo_outside_the_repository_fails_instead_of_passing_zero_scenarios(
        tmp_path: Path) -> None:
    line = one_line_error(invoke(["demo"], tmp_path))
    assert "no scenarios in scenarios/" in line and "--scenarios" in line


def test_the_demo_against_no_server_is_one_line(tmp_path: Path) -> None:
    token = tmp_path / "bot.token"
    token.write_text("not-a-real-token\n")
    line = one_line_error(invoke(["demo", "--scenarios", str(ROOT / "scenarios"), "--token-file",
                               str(token), "--url", "http://127.0.0.1:9"], tmp_path))
    assert "cannot reach http://127.0.0.1:9" in line


def test_a_bad_policy_is_a_failure_of_the_work_not_a_usage_error(tmp_path: Path) -> None:
    bad = tmp_path / "p.yaml"
    bad.write_text("version: '2'\ntriggers:\n  money_risk:\n    refund_over: lots\n")
    line = one_line_error(invoke(["policy", "check", str(bad)], tmp_path), code=1)
    assert "triggers.money_risk.refund_over" in line
    decided = invoke(["decide", "--policy", str(bad)], tmp_path,
                  stdin='{"turns": [{"role": "customer", "text": "hi"}]}')
    assert "triggers.money_risk.refund_over" in one_line_error(decided, code=1)


def test_a_malformed_option_is_a_usage_error(tmp_path: Path) -> None:
    line = one_line_error(invoke(["report", "--month", "November"], tmp_path), code=2)
    assert "--month: expected YYYY-MM" in line


def test_the_version_is_printed(tmp_path: Path) -> None:
    from warmline import __version__

    done = run(["--version"], tmp_path)
    assert done.returncode == 0 and done.stdout == f"warmline {__version__}\n"


# --- an error nobody expected ---------------------------------------------------------

probe = typer.Typer(cls=WarmlineGroup)


@probe.callback()
def _options(debug: bool = typer.Option(False, "--debug")) -> None:
    """The same global option as `warmline`."""


@probe.command()
def broken() -> None:
    {}["missing"]


@probe.command()
def refused() -> None:
    fail("the thing is wrong: do this instead", 1)


def test_an_unexpected_error_is_one_line_saying_how_to_see_the_traceback() -> None:
    result = CliRunner().invoke(probe, ["broken"])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines == ["error: unexpected KeyError: 'missing' (run again with `warmline "
                     "--debug` for the traceback, and report it)"]


def test_with_debug_the_unexpected_error_keeps_its_traceback() -> None:
    result = CliRunner().invoke(probe, ["--debug", "broken"])
    assert isinstance(result.exception, KeyError)  # raised on, for the traceback
    assert "error:" not in result.stderr


def test_an_expected_failure_keeps_its_own_line_and_code() -> None:
    result = CliRunner().invoke(probe, ["refused"])
    assert result.exit_code == 1
    assert result.stderr == "error: the thing is wrong: do this instead\n"
