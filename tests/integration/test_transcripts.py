"""`warmline transcripts export/import`: FORMAT.md cases out of and into real SQLite."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from warmline.adapters.storage.migrate import upgrade
from warmline.bootstrap import Warmline
from warmline.domain import commands as cmd
from warmline.entrypoints.cli.main import app
from warmline.quality.dataset import load_set

runner = CliRunner()


def _cases(folder: Path) -> list[dict[str, object]]:
    lines = (folder / "cases.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def test_export_writes_a_format_md_set_without_the_customer_reference(
        warmline_app: Warmline, sqlite_url: str, tmp_path: Path) -> None:
    bus = warmline_app.bus
    bus.handle(cmd.ReceiveCustomerMessage(conversation_id="c1", message_id="m1",
                                          text="Where is my order?", customer_ref="cust-77",
                                          reply=False))
    bus.handle(cmd.RecordAgentReply(conversation_id="c1", text="On its way.", message_id="a1",
                                    confidence=0.8, intent="order_status"))
    bus.handle(cmd.ReceiveCustomerMessage(conversation_id="c1", message_id="m2",
                                          text="I want a human", reply=False))
    out = tmp_path / "mine"
    r = runner.invoke(app, ["transcripts", "export", str(out), "--url", sqlite_url])
    assert r.exit_code == 0, r.output
    [case] = _cases(out)
    assert case["id"] == "c1" and case["source"] == "warmline"
    assert case["turns"] == [
        {"role": "customer", "text": "Where is my order?"},
        {"role": "agent", "text": "On its way.", "confidence": 0.8, "intent": "order_status"},
        {"role": "customer", "text": "I want a human"}]
    assert "cust-77" not in (out / "cases.jsonl").read_text()
    assert load_set(out).cases[0].id == "c1"  # eval reads it as it is


def test_import_plays_a_set_into_the_store_and_export_gives_it_back(tmp_path: Path) -> None:
    src = tmp_path / "labelled"
    src.mkdir()
    case = {"id": "x1", "turns": [
        {"role": "customer", "text": "I want a refund", "labels": {"refund_request": True}},
        {"role": "agent", "text": "Sure, which order?", "confidence": 0.7},
        {"role": "customer", "text": "Order 1234"}]}
    (src / "cases.jsonl").write_text(json.dumps(case) + "\n")
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    upgrade(url)
    env = {"WARMLINE_SIGNALS": "lexical", "WARMLINE_RECORD": "none"}
    for _ in range(2):  # a second import is a no-op
        r = runner.invoke(app, ["transcripts", "import", str(src), "--url", url], env=env)
        assert r.exit_code == 0, r.output
    back = tmp_path / "back"
    assert runner.invoke(app, ["transcripts", "export", str(back), "--url", url]).exit_code == 0
    [again] = _cases(back)
    assert again["id"] == "import:x1"
    assert [t["text"] for t in again["turns"]] == [  # type: ignore[union-attr]
        "I want a refund", "Sure, which order?", "Order 1234"]
