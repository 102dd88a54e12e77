"""`warmline replay` over a real SQLite store: exactly the conversations a lower refund
threshold changes, and not one byte of live data touched."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from typer.testing import CliRunner

from warmline.adapters.commerce.static import StaticCommerceRecord
from warmline.adapters.policy_file import default_policy_text
from warmline.bootstrap import bootstrap, build_signals
from warmline.config import Config
from warmline.domain import commands as cmd
from warmline.entrypoints.cli.main import app

CONVERSATIONS = {
    "refund-80": ["I want a refund of 80 euros for order 1234", "ok, thanks"],
    "refund-150": ["I want a refund of 150 euros for order 2234"],
    "refund-40": ["I want a refund of 40 euros for order 3234", "great"],
    "refund-80-then-human": ["Where is my order 5555?", "Then refund me the 80 euros",
                             "Let me talk to a human please"],
    "plain": ["Do you ship to Norway?", "thanks"],
}


def _dump(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return list(conn.iterdump())


def _store(url: str) -> None:
    config = Config.from_env({"WARMLINE_DATABASE_URL": url, "WARMLINE_SIGNALS": "lexical"})
    wl = bootstrap(config, signals=build_signals("lexical"), record=StaticCommerceRecord())
    for cid, texts in CONVERSATIONS.items():
        for i, text in enumerate(texts):
            wl.bus.handle(cmd.ReceiveCustomerMessage(conversation_id=cid,
                                                     message_id=f"{cid}-{i}", text=text,
                                                     channel="webchat"))


def _candidate(tmp_path: Path, threshold: int) -> Path:
    text = default_policy_text()
    assert "refund_over: 100" in text
    path = tmp_path / "candidate.yaml"
    path.write_text(text.replace("refund_over: 100", f"refund_over: {threshold}")
                    .replace('version: "2026.11.1"', 'version: "2026.11.2-candidate"'))
    return path


def _replay(tmp_path: Path, url: str, policy: Path, *extra: str) -> dict[str, object]:
    out = tmp_path / "replay.json"
    result = CliRunner().invoke(app, ["replay", "--policy", str(policy), "--url", url,
                                      "--signals", "lexical", "--json-out", str(out), *extra],
                                env={"WARMLINE_RECORD": "none"})
    assert result.exit_code == 0, result.output
    return dict(json.loads(out.read_text()))


def test_a_lower_refund_threshold_shows_exactly_the_conversations_that_change(
        sqlite_url: str, tmp_path: Path) -> None:
    _store(sqlite_url)
    db = Path(sqlite_url.removeprefix("sqlite:///"))
    before = _dump(db)
    result = _replay(tmp_path, sqlite_url, _candidate(tmp_path, 60))
    changes = {c["conversation_id"]: c["kind"] for c in result["changes"]}  # type: ignore
    assert changes == {"refund-80": "added", "refund-80-then-human": "earlier"}
    assert result["conversations"] == 5 and result["customer_turns"] == 10
    assert _dump(db) == before  # replay never writes to live data


def test_an_unchanged_policy_changes_nothing_and_since_filters(sqlite_url: str,
                                                               tmp_path: Path) -> None:
    _store(sqlite_url)
    result = _replay(tmp_path, sqlite_url, _candidate(tmp_path, 100))
    assert result["changes"] == [] and result["conversations"] == 5
    later = _replay(tmp_path, sqlite_url, _candidate(tmp_path, 60), "--since", "2999-01-01")
    assert later["conversations"] == 0
