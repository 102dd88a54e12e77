"""The whole seam through Chatwoot (as an Agent Bot), against a fake Chatwoot on 127.0.0.1.

Chatwoot's signed `message_created` webhook brings the customer's words; the bot answers
in the conversation; on handoff the expectation goes out in the same conversation, the
context package is posted as a private note and the conversation is opened for the
humans; a person's reply (through Warmline's API) goes out in it, the resolution takes
the conversation back for the bot (pending), and the CSAT question follows as an
input_select whose submitted value is stored as CsatReceived.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.fake_channels import FakeChatwoot, serve
from tests.http_client import admin_client

from warmline.adapters.channels.chatwoot import signature_for
from warmline.adapters.clock import FixedClock
from warmline.adapters.signals.lexical import LexicalSignals
from warmline.bootstrap import Warmline, bootstrap, sql_uow_factory
from warmline.config import Config

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "channels" / "chatwoot"
SECRET, THREAD, DISPLAY = "chatwoot-bot-secret", "cw-1-10", 10
OPEN = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)


@pytest.fixture
def chatwoot() -> Iterator[FakeChatwoot]:
    fake = FakeChatwoot()
    with serve(fake):
        yield fake


@pytest.fixture
def api(sqlite_url: str, chatwoot: FakeChatwoot) -> Iterator[TestClient]:
    config = Config.from_env({
        "WARMLINE_DATABASE_URL": sqlite_url, "WARMLINE_AGENT": "reference",
        "WARMLINE_CHATWOOT_URL": chatwoot.url, "WARMLINE_CHATWOOT_ACCOUNT_ID": "1",
        "WARMLINE_CHATWOOT_BOT_TOKEN": "bot-token",
        "WARMLINE_CHATWOOT_WEBHOOK_SECRET": SECRET,
        "WARMLINE_CHATWOOT_TEAMS": "general=7, retention=3"})
    wl: Warmline = bootstrap(config, uow=sql_uow_factory(sqlite_url),
                             signals=LexicalSignals(), clock=FixedClock(OPEN))
    with admin_client(wl) as c:
        yield c


def incoming(message_id: int, words: str) -> bytes:
    body = json.loads((FIXTURES / "message_created_incoming.json").read_text())
    body["id"], body["content"] = message_id, words
    return json.dumps(body).encode()


def submitted(message_id: int, value: str, title: str) -> bytes:
    body = json.loads((FIXTURES / "message_updated_input_select.json").read_text())
    body["id"] = message_id
    body["content_attributes"]["submitted_values"] = [{"title": title, "value": value}]
    return json.dumps(body).encode()


def post(api: TestClient, body: bytes) -> Any:
    stamp = str(int(datetime.now(UTC).timestamp()))
    return api.post("/webhooks/chatwoot", content=body, headers={
        "content-type": "application/json", "x-chatwoot-timestamp": stamp,
        "x-chatwoot-signature": signature_for(SECRET, stamp, body)})


def public(chatwoot: FakeChatwoot) -> list[dict[str, Any]]:
    return [m for m in chatwoot.messages.get(DISPLAY, []) if not m["private"]]


def test_chatwoot_seam_from_first_message_to_stored_csat(api: TestClient,
                                                         chatwoot: FakeChatwoot) -> None:
    assert api.put("/v1/agents/ana", json={"name": "Ana", "skills": ["retention"],
                                           "languages": ["en"]}).status_code == 200
    api.put("/v1/agents/ana/presence", json={"presence": "online"})
    assert post(api, incoming(501, "Hi, what is your return policy?")).json()["stored"] == 1
    bot = public(chatwoot)[-1]
    assert bot["content_type"] == "input_select"  # the answer, with the one-tap route
    assert [i["value"] for i in bot["content_attributes"]["items"]] == ["warmline:human"]

    post(api, incoming(502, "This is useless, I want to talk to a real person now"))
    expectation = public(chatwoot)[-1]["content"]
    assert "team" in expectation and "min" in expectation
    notes = [m for m in chatwoot.messages[DISPLAY] if m["private"]]
    assert len(notes) == 1 and notes[0]["content"].startswith("Warmline handoff")
    assert chatwoot.status[DISPLAY] == "open"  # handed to the humans
    assert chatwoot.team[DISPLAY] in (7, 3)  # the team of the queue Warmline routed to

    handoff = api.get(f"/v1/conversations/{THREAD}/handoff").json()
    if handoff["state"] == "queued":
        api.post("/v1/agents/ana/claims", json={})
    api.post(f"/v1/handoffs/{handoff['id']}/confirm", json={"agent_id": "ana"})
    draft = api.get(f"/v1/conversations/{THREAD}/human-reply-draft").json()["text"]
    api.post(f"/v1/conversations/{THREAD}/human-replies", json={"text": draft, "author": "ana"})
    assert public(chatwoot)[-1]["content"] == draft

    api.post(f"/v1/handoffs/{handoff['id']}/resolve", json={"by": "ana"})
    assert chatwoot.status[DISPLAY] == "pending"  # taken back for the bot
    csat = public(chatwoot)[-1]
    assert [i["value"] for i in csat["content_attributes"]["items"]] == [
        "csat:5", "csat:3", "csat:1"]

    assert post(api, submitted(csat["id"], "csat:3", "OK")).json()["stored"] == 1
    events = api.get(f"/v1/conversations/{THREAD}").json()["events"]
    assert [e["score"] for e in events if e["type"] == "CsatReceived"] == [3]


def test_a_person_resolving_in_chatwoot_gives_the_thread_back_to_the_bot_and_asks_csat(
        api: TestClient, chatwoot: FakeChatwoot) -> None:
    post(api, incoming(601, "I want to talk to a human please"))
    assert chatwoot.status[DISPLAY] == "open"
    resolved = (FIXTURES / "conversation_resolved.json").read_bytes()
    assert post(api, resolved).status_code == 200
    view = api.get(f"/v1/conversations/{THREAD}").json()
    assert view["mode"] == "bot" and chatwoot.status[DISPLAY] == "pending"
    assert public(chatwoot)[-1]["content"] == "How did we do today?"
    assert post(api, resolved).status_code == 200  # again: nothing left to take back
    assert [m["content"] for m in public(chatwoot)].count("How did we do today?") == 1


def status_changed(status: str, stamp: int) -> bytes:
    """Chatwoot's `conversation_status_changed` (the conversation_resolved sample's shape,
    `Conversation#webhook_data` + event), for a status a person set in Chatwoot's UI."""
    body = json.loads((FIXTURES / "conversation_resolved.json").read_text())
    body["event"], body["status"], body["timestamp"] = (
        "conversation_status_changed", status, stamp)
    return json.dumps(body).encode()


def test_a_person_opening_a_bot_held_conversation_in_chatwoot_is_a_handoff(
        api: TestClient, chatwoot: FakeChatwoot) -> None:
    post(api, incoming(701, "Hi, what is your return policy?"))
    assert api.get(f"/v1/conversations/{THREAD}").json()["mode"] == "bot"
    opened = status_changed("open", 1764000001)
    assert post(api, opened).status_code == 200
    view = api.get(f"/v1/conversations/{THREAD}").json()
    assert view["mode"] == "waiting_for_human"  # the bot stops answering
    requested = [e for e in view["events"] if e["type"] == "HandoffRequested"]
    assert [e["source"] for e in requested] == ["helpdesk"]
    notes = [m for m in chatwoot.messages[DISPLAY] if m["private"]]
    assert len(notes) == 1 and notes[0]["content"].startswith("Warmline handoff")
    count = len(chatwoot.messages[DISPLAY])
    assert post(api, opened).status_code == 200  # the same delivery again: a no-op
    assert post(api, status_changed("open", 1764000002)).status_code == 200  # still open
    assert len(chatwoot.messages[DISPLAY]) == count
    post(api, incoming(702, "Can I pay by invoice?"))
    assert len(chatwoot.messages[DISPLAY]) == count  # no improvising: a person has it


def test_a_person_setting_pending_in_chatwoot_gives_the_thread_back_without_csat(
        api: TestClient, chatwoot: FakeChatwoot) -> None:
    post(api, incoming(801, "I want to talk to a human please"))
    before = len(public(chatwoot))
    assert post(api, status_changed("pending", 1764000010)).status_code == 200
    view = api.get(f"/v1/conversations/{THREAD}").json()
    assert view["mode"] == "bot"
    assert [e["type"] for e in view["events"]].count("HandedBackToBot") == 1
    assert len(public(chatwoot)) == before  # no CSAT: nobody resolved anything
    post(api, incoming(802, "Hi, what is your return policy?"))
    assert len(public(chatwoot)) == before + 1  # the bot answers again


def test_a_snoozed_conversation_stays_with_the_person(api: TestClient,
                                                      chatwoot: FakeChatwoot) -> None:
    post(api, incoming(901, "I want to talk to a human please"))
    before = api.get(f"/v1/conversations/{THREAD}").json()
    assert post(api, status_changed("snoozed", 1764000020)).status_code == 200
    after = api.get(f"/v1/conversations/{THREAD}").json()
    assert after["mode"] == "waiting_for_human" and after["events"] == before["events"]
