"""The command line: decide, policy check, settings, and the demo against a live server."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from typer.testing import CliRunner

from warmline.entrypoints.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def test_decide_prints_the_decision_with_evidence_at_the_right_turn_and_words() -> None:
    case = {"id": "x", "turns": [
        {"role": "customer", "text": "hi, where is my order?",
         "labels": {"human_request": True}},
        {"role": "agent", "text": "It is on its way.", "confidence": 0.9},
        {"role": "customer", "text": "ok but I'd like to speak with a human please"},
    ]}
    result = runner.invoke(app, ["decide"], input=json.dumps(case))
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert set(out) >= {"escalate", "turn", "triggers", "policy_version"}
    assert out["escalate"] is True and out["turn"] == 2
    [hit] = out["triggers"]
    assert hit["kind"] == "human_request" and hit["turn"] == 2
    ev = hit["evidence"][0]
    text = case["turns"][2]["text"]
    assert text[ev["start"]:ev["end"]] == ev["quote"] and "human" in ev["quote"]


def test_decide_reports_no_escalation_as_null_turn() -> None:
    case = {"turns": [{"role": "customer", "text": "no need for a human, thanks"}]}
    out = json.loads(runner.invoke(app, ["decide"], input=json.dumps(case)).output)
    assert out == {"escalate": False, "turn": None, "triggers": [],
                   "policy_version": out["policy_version"]}


def test_decide_reads_the_record_for_live_checks() -> None:
    case = {"turns": [{"role": "customer", "text": "can I still return order 3307?"}]}
    result = runner.invoke(app, ["decide", "--record", str(ROOT / "scenarios/record.json"),
                                 "--customer-ref", "c-3307"], input=json.dumps(case))
    out = json.loads(result.output)
    assert out["escalate"] and out["triggers"][0]["kind"] == "policy_edge"
    figures = [e.get("figure") for e in out["triggers"][0]["evidence"]]
    assert 15 in figures  # delivered 45 days ago, 30-day window


def test_decide_rejects_bad_input_naming_the_field() -> None:
    bad = runner.invoke(app, ["decide"], input='{"turns": [{"role": "bot", "text": "x"}]}')
    # the input, not the command line, is wrong: a failure of the work (exit 1)
    assert bad.exit_code == 1 and "turns[0].role" in bad.output
    assert runner.invoke(app, ["decide"], input="not json").exit_code == 1


def test_policy_check_accepts_the_default_and_names_a_bad_key(tmp_path: Path) -> None:
    good = runner.invoke(app, ["policy", "check", str(ROOT / "src/warmline/default_policy.yaml")])
    assert good.exit_code == 0 and "ok" in good.output
    bad_file = tmp_path / "p.yaml"
    bad_file.write_text("version: '2'\ntriggers:\n  money_risk:\n    refund_over: lots\n")
    bad = runner.invoke(app, ["policy", "check", str(bad_file)])
    assert bad.exit_code == 1 and "triggers.money_risk.refund_over" in bad.output


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_demo_plays_every_scenario_as_expected_against_a_live_server(
        tmp_path: Path) -> None:
    port = _free_port()
    bindir = Path(sys.executable).parent
    env = {**os.environ, "WARMLINE_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}",
           "WARMLINE_AGENT": "reference", "WARMLINE_PORT": str(port)}
    subprocess.run([bindir / "warmline", "db", "upgrade"], env=env, check=True,
                   capture_output=True)
    token = tmp_path / "bot.token"
    subprocess.run([bindir / "warmline", "demo-store", "--load", "--token-out", str(token)],
                   env=env, check=True, capture_output=True)  # as `make demo` does
    server = subprocess.Popen([bindir / "warmline", "serve"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        demo = subprocess.run([bindir / "warmline", "demo", "--scenarios",
                               str(ROOT / "scenarios"), "--token-file", str(token)],
                              env=env, capture_output=True,
                              text=True, timeout=120)
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert demo.returncode == 0, demo.stdout + demo.stderr
    n = len(list((ROOT / "scenarios").glob("*.yaml")))
    assert f"{n}/{n} scenarios as expected" in demo.stdout
