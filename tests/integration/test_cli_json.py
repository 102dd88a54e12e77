"""One JSON convention for every command with a machine-readable result: `--json` prints
the JSON on standard output and nothing else there; `--json-out FILE` writes the same
JSON to FILE."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from warmline.adapters.storage.migrate import upgrade
from warmline.bootstrap import bootstrap
from warmline.config import Config
from warmline.domain import commands as cmd
from warmline.entrypoints.cli.main import app

POLICY = Path(__file__).resolve().parents[2] / "src" / "warmline" / "default_policy.yaml"


def _labelled_set(tmp_path: Path) -> Path:
    folder = tmp_path / "set"
    folder.mkdir()
    case = {"id": "a", "turns": [
        {"role": "customer", "text": "where is my order?", "labels": {"human_request": False}},
        {"role": "agent", "text": "On its way."},
        {"role": "customer", "text": "I want to speak to a human",
         "labels": {"human_request": True}}]}
    (folder / "cases.jsonl").write_text(json.dumps(case) + "\n", encoding="utf-8")
    return folder


def _handed_off(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    upgrade(url)
    wl = bootstrap(Config.from_env({"WARMLINE_DATABASE_URL": url, "WARMLINE_SIGNALS": "lexical",
                                    "WARMLINE_SWEEP_SECONDS": "0"}))
    wl.bus.handle(cmd.ReceiveCustomerMessage(conversation_id="web-1", message_id="m1",
                                             text="I want to speak to a human, now"))
    return url


def _eval(tmp_path: Path) -> list[str]:
    return ["eval", str(_labelled_set(tmp_path)), "--signals", "lexical"]


def _replay(tmp_path: Path) -> list[str]:
    return ["replay", "--policy", str(POLICY), "--set", str(_labelled_set(tmp_path)),
            "--baseline", str(POLICY), "--signals", "lexical"]


def _report(tmp_path: Path) -> list[str]:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    upgrade(url)
    return ["report", "--month", "2026-11", "--url", url, "--out", str(tmp_path / "out")]


def _context(tmp_path: Path) -> list[str]:
    return ["context", "web-1", "--url", _handed_off(tmp_path)]


def _simulate(tmp_path: Path) -> list[str]:
    return ["simulate", "--seed", "3"]


COMMANDS: dict[str, tuple[Callable[[Path], list[str]], str]] = {
    # command -> (its arguments, a key its JSON holds)
    "eval": (_eval, "turns_scored"),
    "replay": (_replay, "candidate"),
    "report": (_report, "figures"),
    "context": (_context, "package"),
    "simulate": (_simulate, "lanes"),
}


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_json_prints_only_json_on_stdout_and_json_out_writes_the_same(
        name: str, tmp_path: Path) -> None:
    make, key = COMMANDS[name]
    file = tmp_path / "result" / f"{name}.json"
    result = CliRunner().invoke(app, [*make(tmp_path), "--json", "--json-out", str(file)],
                                env={"WARMLINE_RECORD": "none", "COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)  # the whole of stdout is one JSON document
    assert key in printed
    assert file.read_text(encoding="utf-8") == result.stdout


def test_without_json_the_human_output_stays_and_json_out_still_writes(
        tmp_path: Path) -> None:
    file = tmp_path / "eval.json"
    result = CliRunner().invoke(app, [*_eval(tmp_path), "--json-out", str(file)])
    assert result.exit_code == 0, result.output
    assert "human_request" in result.stdout and not result.stdout.lstrip().startswith("{")
    assert json.loads(file.read_text(encoding="utf-8"))["turns_scored"] == 2
