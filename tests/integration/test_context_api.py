"""The context package served live: the snapshot, the record now, and what changed.

Whoever opens a handoff sees the record as it is at that moment, with the changes since
the package was built marked (those about the order in question flagged `focus`), over
the API and `warmline context` alike.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.http_client import admin_client
from tests.integration.conftest import demo_app
from typer.testing import CliRunner

from warmline.adapters.commerce.sql import SqlCommerceRecord
from warmline.bootstrap import Warmline
from warmline.domain.record.commerce import RecordBatch, Refund
from warmline.entrypoints.cli.main import app

runner = CliRunner()


@pytest.fixture
def demo(demo_db: Path, tmp_path: Path) -> tuple[Warmline, TestClient, str]:
    import shutil

    db = tmp_path / "demo.db"
    shutil.copy(demo_db, db)
    url = f"sqlite:///{db}"
    wl = demo_app(url)
    return wl, admin_client(wl), url


def _escalate(client: TestClient) -> None:
    r = client.post("/v1/conversations/wa-1/messages", json={
        "message_id": "m1", "customer_ref": "c-1001", "channel": "whatsapp",
        "text": "Hi, the blender from order #1043 stopped working. I'd like a refund please."})
    assert r.json()["decision"]["escalate"]


def test_the_package_is_served_with_the_live_record_and_no_changes(
        demo: tuple[Warmline, TestClient, str]) -> None:
    _, client, _ = demo
    _escalate(client)
    view = client.get("/v1/conversations/wa-1/context").json()
    pkg = view["package"]
    assert pkg["schema"] == "warmline.context/1" and pkg["turn"] == 0
    assert pkg["next_step"]["rule"] == "refund_outside_window_high_value"
    assert view["live"]["available"] and view["live"]["changes"] == []
    assert view["live"]["record"]["customer"]["ref"] == "c-1001"
    assert view["mode"] == "waiting_for_human" and view["since_handoff"] == []


def test_what_changed_in_the_record_since_the_handoff_is_marked(
        demo: tuple[Warmline, TestClient, str]) -> None:
    _, client, url = demo
    _escalate(client)
    refund = Refund("rf-live", "1043", "c-1001", 184.0, "EUR", "issued", "approved by Ana")
    SqlCommerceRecord(url).write(RecordBatch(refunds=[refund]))
    client.post("/v1/conversations/wa-1/messages", json={
        "message_id": "m2", "text": "any news?", "channel": "whatsapp"})
    view = client.get("/v1/conversations/wa-1/context").json()
    [change] = view["live"]["changes"]
    assert change["path"] == "refunds[rf-live]" and change["before"] is None
    assert change["after"]["amount"] == 184.0
    assert view["package"]["record"]["refunds"] == []  # the snapshot stays as it was
    assert [t["text"] for t in view["since_handoff"]] == ["any news?"]


def test_a_change_to_the_order_in_question_is_flagged_focus(
        demo: tuple[Warmline, TestClient, str]) -> None:
    _, client, url = demo
    _escalate(client)
    record = SqlCommerceRecord(url)
    maria = record.customer_record("c-1001")
    assert maria is not None
    order = maria.order("1043")
    assert order is not None
    from dataclasses import replace
    record.write(RecordBatch(orders=[replace(order, status="returned")]))
    changes = client.get("/v1/conversations/wa-1/context").json()["live"]["changes"]
    assert {(c["path"], c["after"], c["focus"]) for c in changes} == {
        ("orders[1043].status", "returned", True)}


def test_no_package_before_a_handoff_and_404_for_unknown_conversations(
        demo: tuple[Warmline, TestClient, str]) -> None:
    _, client, _ = demo
    client.post("/v1/conversations/calm/messages", json={"message_id": "1", "text": "hi",
                                                         "reply": False})
    r = client.get("/v1/conversations/calm/context")
    assert r.status_code == 404 and "has not been handed off" in r.json()["message"]
    assert client.get("/v1/conversations/nope/context").status_code == 404


def test_the_customer_record_is_served_live(demo: tuple[Warmline, TestClient, str]) -> None:
    _, client, _ = demo
    body = client.get("/v1/customers/c-5120").json()
    assert body["customer"]["tags"] == ["vip"]
    assert {o["id"] for o in body["orders"]} == {"5120", "4870"}
    assert client.get("/v1/customers/nobody").status_code == 404


def test_the_cli_prints_the_package_and_its_json(demo: tuple[Warmline, TestClient, str]) -> None:
    _, client, url = demo
    _escalate(client)
    shown = runner.invoke(app, ["context", "wa-1", "--url", url], env={"COLUMNS": "300"})
    assert shown.exit_code == 0, shown.output
    for words in ("Maria Keller (VIP) wants a refund of €184.00", "next step", "Hi Maria",
                  "money_risk", "nothing changed since the handoff", "#1043"):
        assert words in " ".join(shown.output.split()), words
    raw = runner.invoke(app, ["context", "wa-1", "--json", "--url", url])
    assert json.loads(raw.output)["package"]["refs"]["order_ids"] == ["1043"]
    missing = runner.invoke(app, ["context", "nope", "--url", url])
    assert missing.exit_code == 1 and "does not exist" in missing.output
