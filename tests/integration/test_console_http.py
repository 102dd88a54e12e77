"""The agent console over HTTP (in-process, real SQLite, the demo store as the record):
sign-in, who sees what, the queue cards, every action through the bus, live updates."""

from __future__ import annotations

import asyncio
import html
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.console_tour import MARIA, OPEN, PASSWORD, STORIES, HandClock, escalate, people
from tests.http_client import ADMIN, with_admin_token

from warmline.adapters.commerce.sql import SqlCommerceRecord
from warmline.adapters.signals.lexical import LexicalSignals
from warmline.adapters.storage.migrate import upgrade
from warmline.bootstrap import Warmline, bootstrap
from warmline.config import Config
from warmline.demo.store import build
from warmline.domain import commands as cmd
from warmline.entrypoints.console.live import LiveHub, concerns, stream
from warmline.entrypoints.console.queues import lane_order
from warmline.entrypoints.http.app import create_app
from warmline.ports import Notice


@dataclass
class Console:
    client: TestClient  # the browser: a session cookie, no token
    api: TestClient  # the API with the admin token (customer messages, checks)
    wl: Warmline
    clock: HandClock


@pytest.fixture
def console(tmp_path: Path) -> Iterator[Console]:
    url = f"sqlite:///{tmp_path / 'console.db'}"
    upgrade(url)
    SqlCommerceRecord(url).write(build(OPEN))
    clock = HandClock(OPEN)
    config = Config.from_env({"WARMLINE_DATABASE_URL": url, "WARMLINE_SWEEP_SECONDS": "0",
                              "WARMLINE_SIGNALS": "lexical", "WARMLINE_AGENT": "none"})
    wl = bootstrap(config, signals=LexicalSignals(), clock=clock)
    app = create_app(with_admin_token(wl))
    with TestClient(app) as client, TestClient(app, headers=ADMIN) as api:
        people(api, wl)
        yield Console(client, api, wl, clock)


def sign_in(c: TestClient, name: str) -> str:
    """Sign in; returns the session's CSRF token as the pages carry it."""
    r = c.post("/console/sign-in", data={"name": name, "password": PASSWORD,
                                         "next": "/console"})
    assert r.status_code == 200, r.text
    found = re.search(r'name="csrf" value="([^"]+)"', r.text)
    assert found is not None
    return found.group(1)


def events_of(api: TestClient, cid: str) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = api.get(f"/v1/conversations/{cid}").json()["events"]
    return events


def test_without_a_session_every_page_sends_you_to_sign_in_and_back(console: Console) -> None:
    c = console.client
    r = c.get("/console/conversations/maria", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/console/sign-in?next=/console/conversations/maria"
    wrong = c.post("/console/sign-in", data={"name": "ana", "password": "nope",
                                             "next": "/console/supervisor"})
    assert wrong.status_code == 401 and "do not match" in wrong.text
    right = c.post("/console/sign-in", data={"name": "ana", "password": PASSWORD,
                                             "next": "/console/queues"},
                   follow_redirects=False)
    assert (right.status_code, right.headers["location"]) == (303, "/console/queues")
    assert c.get("/console/queues").status_code == 200


def test_sign_in_never_redirects_off_the_console(console: Console) -> None:
    r = console.client.post("/console/sign-in", follow_redirects=False, data={
        "name": "ana", "password": PASSWORD, "next": "https://elsewhere.example/"})
    assert r.headers["location"] == "/console"


def test_an_agent_sees_their_queues_with_the_priority_lane_first(console: Console) -> None:
    c = console.client
    escalate(console.api, "maria", *MARIA)  # VIP: the priority lane
    escalate(console.api, "chat-5", *STORIES[4])  # an address change: fulfilment
    sign_in(c, "ana")
    page = c.get("/console").text
    lanes = re.findall(r'<h2 id="lane-([a-z]+)">', page)
    assert lanes[0] == "priority" and "fulfilment" not in lanes and lanes[-1] == "general"
    assert "Maria Keller" in page and "Liam Walsh" not in page
    signed_out = c.post("/console/sign-out", data={"csrf": sign_in(c, "ana")})
    assert "Sign in to the console" in signed_out.text
    sign_in(c, "bo")
    bo = c.get("/console").text
    assert "Liam Walsh" in bo and "Maria Keller" not in bo


def test_a_card_shows_the_wait_the_sla_the_triggers_and_the_customer_value(
        console: Console) -> None:
    c = console.client
    escalate(console.api, "maria", *MARIA)
    console.clock.at += timedelta(seconds=50)  # the priority lane's SLA is one minute
    sign_in(c, "ana")
    card = c.get("/console/queues/board").text
    assert "waiting 50s" in card and "SLA near" in card
    assert "money risk" in card and "VIP" in card and "€2,350.00" in card
    console.clock.at += timedelta(seconds=30)
    assert "SLA breached" in c.get("/console/queues/board").text


def test_a_lane_shows_its_first_fifty_and_counts_them_all(console: Console) -> None:
    c = console.client
    for n in range(53):
        escalate(console.api, f"ask-{n}", None, "I want to talk to a person")  # the fallback
    sign_in(c, "bo")
    board = c.get("/console/queues/board").text
    general = board.split('id="lane-general"')[1]
    assert general.count('class="card ') == 50
    assert "showing the first 50 of 53" in general


def test_claim_reply_note_transfer_and_resolve_are_commands_on_the_record(
        console: Console) -> None:
    c = console.client
    handoff = escalate(console.api, "maria", *MARIA)
    csrf = sign_in(c, "ana")
    c.post("/console/presence", data={"csrf": csrf, "presence": "online"})
    page = c.post("/console/conversations/maria/claim", data={"csrf": csrf})
    assert "Claimed: it is yours." in page.text
    assert "Maria" in page.text and "refund" in page.text  # the package beside the thread
    draft = console.api.get("/v1/conversations/maria/human-reply-draft").json()["text"]
    box = re.search(r'<textarea id="reply"[^>]*>([^<]*)</textarea>', page.text)
    assert box is not None and html.unescape(box.group(1)) == draft  # the opener, pre-filled
    c.post("/console/conversations/maria/reply", data={"csrf": csrf, "text": draft})
    c.post("/console/conversations/maria/notes", data={"csrf": csrf, "text": "VIP, be quick"})
    c.post("/console/conversations/maria/transfer",
           data={"csrf": csrf, "to_queue": "billing", "reason": "refund rights"})
    c.post("/console/conversations/maria/claim", data={"csrf": csrf})
    done = c.post("/console/conversations/maria/resolve",
                  data={"csrf": csrf, "outcome": "refund approved", "hand_back": "yes"})
    assert "Resolved." in done.text
    kinds = [e["type"] for e in events_of(console.api, "maria")]
    for kind in ("HandoffAccepted", "HumanReplied", "InternalNoteAdded", "HandoffTransferred",
                 "HandoffResolved"):
        assert kind in kinds
    last = console.api.get(f"/v1/handoffs/{handoff['id']}").json()
    assert (last["state"], last["queue"], last["transfers"]) == ("resolved", "billing", 1)
    note = next(e for e in events_of(console.api, "maria") if e["type"] == "InternalNoteAdded")
    assert (note["text"], note["author"]) == ("VIP, be quick", "Ana Silva")
    outbox = console.api.get("/v1/conversations/maria/outbox").json()["items"]
    assert "VIP, be quick" not in [i["text"] for i in outbox]  # never sent to the customer


def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(
        console: Console) -> None:
    c = console.client
    escalate(console.api, "maria", *MARIA)
    sign_in(c, "ana")
    before = len(events_of(console.api, "maria"))
    r = c.post("/console/conversations/maria/notes", data={"text": "forged"})
    assert r.status_code == 403 and len(events_of(console.api, "maria")) == before


def test_an_agent_opening_another_queues_conversation_gets_403(console: Console) -> None:
    c = console.client
    escalate(console.api, "maria", *MARIA)  # priority: Bo lacks the senior skill
    csrf = sign_in(c, "bo")
    page = c.get("/console/conversations/maria")
    assert page.status_code == 403 and "Maria" not in page.text
    before = len(events_of(console.api, "maria"))
    note = c.post("/console/conversations/maria/notes", data={"csrf": csrf, "text": "hi"})
    assert note.status_code == 403 and len(events_of(console.api, "maria")) == before
    assert c.get("/console/conversations/maria/thread").status_code == 403


def test_the_supervisor_view_shows_queues_people_and_today(console: Console) -> None:
    c = console.client
    escalate(console.api, "maria", *MARIA)
    console.clock.at += timedelta(minutes=2)
    sign_in(c, "ana")
    assert c.get("/console/supervisor").status_code == 403
    sign_in(c, "sam")
    page = c.get("/console/supervisor").text
    assert "Ana Silva" in page and "Bo Lind" in page
    assert re.search(r"past their SLA</dt><dd>1<", page)  # Maria waits past one minute
    assert "warmline report --month 2026-11" in page and "<svg" in page


def test_customer_words_are_escaped_and_evidence_is_marked(console: Console) -> None:
    c = console.client
    console.api.post("/v1/conversations/x/messages", json={
        "message_id": "x1", "text": "<script>alert(1)</script> I want to talk to a person"})
    sign_in(c, "sam")
    page = c.get("/console/conversations/x").text
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
    assert re.search(r'<mark class="evidence" title="evidence: human_request">[^<]*person',
                     page)


def test_the_api_still_refuses_form_posts(console: Console) -> None:
    r = console.api.post("/v1/conversations/x/messages", data={"text": "hi"})
    assert r.status_code == 415


def test_lane_order_puts_the_priority_lane_first_and_the_fallback_last(
        console: Console) -> None:
    order = lane_order(console.wl.policy, None)
    assert order[0] == "priority" and order[-1] == "general"
    assert lane_order(console.wl.policy, frozenset({"general", "retention"})) == [
        "retention", "general"]


def test_a_person_hears_only_about_handoffs_they_may_see() -> None:
    n = Notice("routed", "h1", "priority", "queued")
    assert concerns(n, None, None) and concerns(n, frozenset({"priority"}), "bo")
    assert not concerns(n, frozenset({"fulfilment"}), "bo")
    assert concerns(Notice("offered", "h1", "priority", "claimed", "bo"),
                    frozenset({"fulfilment"}), "bo")


def test_the_event_stream_carries_each_committed_notice(console: Console) -> None:
    class Connected:
        async def is_disconnected(self) -> bool:
            return False

    async def first_two() -> list[str]:
        events = stream(hub, Connected(), None, None)
        got = [await anext(events)]
        threading.Timer(0.3, lambda: console.wl.bus.handle(cmd.ReceiveCustomerMessage(
            conversation_id="maria", message_id="m1", customer_ref=MARIA[0], text=MARIA[1],
            reply=False))).start()
        got.append(await asyncio.wait_for(anext(events), timeout=10))
        await events.aclose()
        return got

    hub = LiveHub(console.wl.notifier)
    try:
        hello, event = asyncio.run(first_two())
    finally:
        hub.stop()
    assert hello.startswith("retry:")
    assert event.startswith("event: handoff\n") and '"queue": "priority"' in event


@pytest.mark.postgres
def test_the_event_stream_hears_another_process_over_listen_notify(postgres_url: str) -> None:
    from warmline.adapters.storage.engine import make_engine

    engine = make_engine(postgres_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("TRUNCATE events, inbound_messages, conversations, handoffs, "
                             "agents")
    engine.dispose()
    config = Config.from_env({"WARMLINE_DATABASE_URL": postgres_url, "WARMLINE_RECORD": "none",
                              "WARMLINE_SWEEP_SECONDS": "0", "WARMLINE_AGENT": "none"})
    listening = bootstrap(config, signals=LexicalSignals(), clock=HandClock(OPEN))
    writing = bootstrap(config, signals=LexicalSignals(), clock=HandClock(OPEN))  # "another"

    class Connected:
        async def is_disconnected(self) -> bool:
            return False

    async def first_event() -> str:
        events = stream(hub, Connected(), frozenset({"general"}), None)
        await anext(events)
        threading.Timer(0.5, lambda: writing.bus.handle(cmd.ReceiveCustomerMessage(
            conversation_id="pg-1", message_id="pg-1", text="I want to talk to a person",
            reply=False))).start()
        got = await asyncio.wait_for(anext(events), timeout=15)
        await events.aclose()
        return got

    hub = LiveHub(listening.notifier)
    try:
        event = asyncio.run(first_event())
    finally:
        hub.stop()
    assert event.startswith("event: handoff\n") and '"queue": "general"' in event


def test_a_session_lasts_the_configured_hours(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'short.db'}"
    upgrade(url)
    clock = HandClock(OPEN)
    config = Config.from_env({"WARMLINE_DATABASE_URL": url, "WARMLINE_SWEEP_SECONDS": "0",
                              "WARMLINE_SIGNALS": "lexical", "WARMLINE_AGENT": "none",
                              "WARMLINE_RECORD": "none", "WARMLINE_SESSION_HOURS": "1"})
    wl = bootstrap(config, signals=LexicalSignals(), clock=clock)
    app = create_app(with_admin_token(wl))
    with TestClient(app) as c, TestClient(app, headers=ADMIN) as api:
        people(api, wl)
        r = c.post("/console/sign-in", follow_redirects=False,
                   data={"name": "sam", "password": PASSWORD})
        assert "Max-Age=3600" in r.headers["set-cookie"]
        assert c.get("/console/supervisor").status_code == 200
        clock.at += timedelta(hours=1, seconds=1)
        gone = c.get("/console/supervisor", follow_redirects=False)
        assert gone.status_code == 303 and gone.headers["location"].startswith(
            "/console/sign-in")


def test_guessing_a_password_is_held_to_ten_tries_a_minute_even_with_the_right_one_next(
        console: Console) -> None:
    c = console.client
    tries = [c.post("/console/sign-in", data={"name": "ana", "password": f"guess-{i}",
                                              "next": "/console"}).status_code
             for i in range(10)]
    assert tries == [401] * 10
    held = c.post("/console/sign-in", data={"name": "ana", "password": PASSWORD,
                                            "next": "/console"}, follow_redirects=False)
    assert held.status_code == 429
    assert "warmline_session" not in held.headers.get("set-cookie", "")
