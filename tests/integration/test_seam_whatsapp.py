"""The whole seam on WhatsApp, end to end, against a fake Graph API on 127.0.0.1.

A customer's message arrives in Meta's real webhook shape (signed), Warmline's reference
agent answers on the thread, a request for a person escalates, the expectation message
with the live ETA goes out on the same thread, a person replies through the API (the
opener pre-filled from the context package), resolves, the CSAT question follows with
buttons, and the tap on a score is stored as CsatReceived. Every assertion on what the
customer saw is on the request the fake Graph API received.
"""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.fake_channels import FakeGraph, serve
from tests.http_client import admin_client

from warmline.adapters.channels.whatsapp import signature_for
from warmline.adapters.clock import FixedClock
from warmline.adapters.commerce.memory import MemoryCommerceRecord
from warmline.adapters.signals.lexical import LexicalSignals
from warmline.bootstrap import Warmline, bootstrap, sql_uow_factory
from warmline.config import Config
from warmline.domain.record.commerce import Customer, RecordBatch

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "channels" / "whatsapp"
SECRET, WA_ID, THREAD = "meta-app-secret", "16505551234", "wa-16505551234"


@pytest.fixture
def graph() -> Iterator[FakeGraph]:
    fake = FakeGraph()
    with serve(fake):
        yield fake


OPEN = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)  # a Wednesday afternoon: every team works
CLOSED = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)  # a Sunday night


@pytest.fixture
def when() -> datetime:
    return OPEN


@pytest.fixture
def wl(sqlite_url: str, graph: FakeGraph, when: datetime) -> Warmline:
    config = Config.from_env({
        "WARMLINE_DATABASE_URL": sqlite_url, "WARMLINE_AGENT": "reference",
        "WARMLINE_WHATSAPP_APP_SECRET": SECRET, "WARMLINE_WHATSAPP_VERIFY_TOKEN": "v",
        "WARMLINE_WHATSAPP_ACCESS_TOKEN": "test-access-token",
        "WARMLINE_WHATSAPP_PHONE_NUMBER_ID": "106540352242922",
        "WARMLINE_WHATSAPP_API_URL": f"{graph.url}/v23.0"})
    record = MemoryCommerceRecord(RecordBatch(customers=[
        Customer(ref="c-1001", name="Sheena Nelson", contacts=(("whatsapp", WA_ID),))]))
    return bootstrap(config, uow=sql_uow_factory(sqlite_url), record=record,
                     signals=LexicalSignals(), clock=FixedClock(when))


@pytest.fixture
def api(wl: Warmline) -> Iterator[TestClient]:
    with admin_client(wl) as c:
        yield c


def payload(kind: str, message_id: str, **content: Any) -> bytes:
    body = json.loads((FIXTURES / f"{kind}.json").read_text())
    message = copy.deepcopy(body["entry"][0]["changes"][0]["value"]["messages"][0])
    message["id"] = message_id
    message["timestamp"] = str(int(time.time()))  # inside the 24-hour window
    message.update(content)
    body["entry"][0]["changes"][0]["value"]["messages"] = [message]
    return json.dumps(body).encode()


def text(message_id: str, words: str) -> bytes:
    return payload("text", message_id, text={"body": words})


def tap(message_id: str, button_id: str, title: str) -> bytes:
    return payload("button_reply", message_id, interactive={
        "type": "button_reply", "button_reply": {"id": button_id, "title": title}})


def post(api: TestClient, body: bytes, secret: str = SECRET) -> Any:
    return api.post("/webhooks/whatsapp", content=body, headers={
        "content-type": "application/json", "x-hub-signature-256": signature_for(secret, body)})


def sent(graph: FakeGraph) -> list[dict[str, Any]]:
    return [r["json"] for r in graph.requests]


def body_text(message: dict[str, Any]) -> str:
    if message["type"] == "text":
        return str(message["text"]["body"])
    return str(message["interactive"]["body"]["text"])


def hire(api: TestClient, aid: str) -> None:
    assert api.put(f"/v1/agents/{aid}", json={
        "name": aid.title(), "skills": ["retention", "billing", "fulfilment"],
        "languages": ["en"]}).status_code == 200
    assert api.put(f"/v1/agents/{aid}/presence", json={"presence": "online"}).status_code == 200


def test_whatsapp_seam_from_first_message_to_stored_csat(api: TestClient,
                                                         graph: FakeGraph) -> None:
    hire(api, "ana")
    first = post(api, text("wamid.e2e-1", "Hi, what is your return policy?"))
    assert first.status_code == 200 and first.json()["stored"] == 1
    bot = sent(graph)[-1]
    assert bot["to"] == WA_ID and bot["type"] == "interactive"  # the answer + one-tap route
    assert [b["reply"]["id"] for b in bot["interactive"]["action"]["buttons"]] == [
        "warmline:human"]

    post(api, text("wamid.e2e-2", "This is useless, I want to talk to a real person now"))
    expectation = sent(graph)[-1]
    assert expectation["to"] == WA_ID and expectation["type"] == "text"
    words = body_text(expectation)
    assert "team" in words and "min" in words and "number 1 in line" in words

    handoff = api.get(f"/v1/conversations/{THREAD}/handoff").json()
    if handoff["state"] == "queued":
        assert api.post("/v1/agents/ana/claims", json={}).status_code == 201
    assert api.post(f"/v1/handoffs/{handoff['id']}/confirm",
                    json={"agent_id": "ana"}).status_code == 200

    joined = sent(graph)[-1]
    assert joined["to"] == WA_ID and body_text(joined).startswith("Ana from our")  # by name
    draft = api.get(f"/v1/conversations/{THREAD}/human-reply-draft").json()
    assert draft["first"] and draft["text"]
    reply = api.post(f"/v1/conversations/{THREAD}/human-replies",
                     json={"text": draft["text"], "author": "ana", "message_id": "h-1"})
    assert reply.status_code == 201
    human = sent(graph)[-1]
    assert human["to"] == WA_ID and body_text(human) == draft["text"]  # same thread, brand

    assert api.post(f"/v1/handoffs/{handoff['id']}/resolve",
                    json={"by": "ana", "outcome": "answered"}).status_code == 200
    csat = sent(graph)[-1]
    assert csat["to"] == WA_ID and csat["type"] == "interactive"
    ids = [b["reply"]["id"] for b in csat["interactive"]["action"]["buttons"]]
    assert ids == ["csat:5", "csat:3", "csat:1"]

    answer = post(api, tap("wamid.e2e-3", "csat:5", "Great"))
    assert answer.status_code == 200 and answer.json()["stored"] == 1
    view = api.get(f"/v1/conversations/{THREAD}").json()
    stored = [e for e in view["events"] if e["type"] == "CsatReceived"]
    assert [(e["score"], e["handoff_id"]) for e in stored] == [
        (5, handoff["id"])]
    assert view["mode"] == "bot"  # resolved and handed back: the bot holds the thread again

    outbox = api.get(f"/v1/conversations/{THREAD}/outbox").json()["items"]
    assert [i["kind"] for i in outbox] == ["bot_reply", "expectation", "assigned",
                                           "human_reply", "csat_question", "csat_thanks"]
    assert {i["state"] for i in outbox} == {"sent"}


def test_a_repeated_delivery_never_sends_a_message_twice(api: TestClient, wl: Warmline,
                                                         graph: FakeGraph) -> None:
    post(api, text("wamid.once-1", "Hi, what is your return policy?"))
    before = len(graph.requests)
    assert post(api, text("wamid.once-1", "Hi, what is your return policy?")).json()[
        "duplicates"] == 1
    assert wl.dispatcher is not None
    wl.dispatcher.deliver(THREAD)  # a delivery run again finds everything settled
    assert len(graph.requests) == before == 1


def test_while_a_person_is_coming_the_bot_only_answers_how_long(api: TestClient,
                                                                graph: FakeGraph) -> None:
    hire(api, "ana")
    post(api, text("wamid.w-1", "I want to talk to a human please"))
    count = len(graph.requests)
    post(api, text("wamid.w-2", "Also, can I pay by invoice instead?"))
    assert len(graph.requests) == count  # no improvising while a human is coming
    post(api, text("wamid.w-21", "And the parcel box was damaged"))
    assert len(graph.requests) == count + 1  # only what keeps the thread useful:
    assert "photo of the damage" in body_text(sent(graph)[-1])  # the photos for the person
    post(api, text("wamid.w-3", "How long now?"))
    update = sent(graph)[-1]
    assert "number" in body_text(update) and "min" in body_text(update)
    done = api.get(f"/v1/conversations/{THREAD}/context").json()["done_while_waiting"]
    assert [d["kind"] for d in done] == ["expectation", "wait_update"]  # the person sees it


def test_a_person_asking_for_what_the_package_held_is_counted_as_a_seam_leak(
        api: TestClient) -> None:
    hire(api, "ana")
    post(api, text("wamid.l-1", "I want to talk to a human please, my parcel never arrived"))
    api.post(f"/v1/conversations/{THREAD}/human-replies",
             json={"text": "Hi! What seems to be the problem?", "author": "ana"})
    events = api.get(f"/v1/conversations/{THREAD}").json()["events"]
    leaks = [(e["who"], e["item"], bool(e["handoff_id"])) for e in events
             if e["type"] == "SeamLeakDetected"]
    assert leaks == [("human", "problem", True)]


def test_a_failed_send_stays_pending_with_a_backoff_and_is_retried(
        api: TestClient, wl: Warmline, graph: FakeGraph) -> None:
    from tests.fake_channels import graph_error

    wl.channels["whatsapp"].sleep = lambda _: None  # type: ignore[attr-defined]
    graph.fail_next(*[graph_error(130429, "Rate limit hit", 429)] * 4)
    post(api, text("wamid.r-1", "Hi, what is your return policy?"))
    items = api.get(f"/v1/conversations/{THREAD}/outbox").json()["items"]
    assert items[0]["state"] == "pending" and items[0]["attempts"] == 1
    assert items[0]["next_attempt_at"] and "Rate limit" in items[0]["last_error"]
    assert wl.dispatcher is not None
    wl.dispatcher.clock = _Later(wl.dispatcher.clock)
    assert wl.dispatcher.retry_due() == 1
    items = api.get(f"/v1/conversations/{THREAD}/outbox").json()["items"]
    assert items[0]["state"] == "sent" and items[0]["attempts"] == 2


@pytest.mark.parametrize("when", [CLOSED])
def test_out_of_hours_the_expectation_says_so_and_offers_the_alternative(
        api: TestClient, graph: FakeGraph) -> None:
    hire(api, "ana")
    post(api, text("wamid.c-1", "I want to talk to a human please"))
    words = body_text(sent(graph)[-1])
    assert "offline right now" in words and "back at" in words
    assert "picks it up first thing" in words or "call you back" in words


class _Later:
    """The clock an hour on: every backoff has passed."""

    def __init__(self, clock: Any) -> None:
        self.clock = clock

    def now(self) -> Any:
        from datetime import timedelta

        return self.clock.now() + timedelta(hours=1)


def test_when_the_promised_wait_passes_the_customer_is_told_the_new_estimate(
        api: TestClient, wl: Warmline, graph: FakeGraph) -> None:
    assert api.put("/v1/agents/ana", json={"name": "Ana", "skills": ["retention"],
                                           "languages": ["en"], "capacity": 1}).status_code == 200
    api.put("/v1/agents/ana/presence", json={"presence": "online"})
    other = payload("text", "wamid.g-0", text={"body": "I want to talk to a human please"},
                    **{"from": "4915550009"})
    post(api, other.replace(WA_ID.encode(), b"4915550009"))
    first = api.get("/v1/conversations/wa-4915550009/handoff").json()
    assert api.post(f"/v1/handoffs/{first['id']}/confirm",
                    json={"agent_id": "ana"}).status_code == 200  # ana's only slot is taken
    post(api, text("wamid.g-1", "I want to talk to a human please"))
    promise = body_text(sent(graph)[-1])
    assert sent(graph)[-1]["to"] == WA_ID and "number 1 in line" in promise
    api.post("/v1/routing/sweep", json={})
    assert sent(graph)[-1]["to"] == WA_ID and body_text(sent(graph)[-1]) == promise  # on time
    before = len(graph.requests)
    wl.bus.deps.clock.at += timedelta(minutes=45)  # type: ignore[attr-defined]
    api.post("/v1/routing/sweep", json={})
    updates = {m["to"]: body_text(m) for m in sent(graph)[before:]}
    assert "longer than I said" in updates[WA_ID] and "in line now" in updates[WA_ID]
    count = len(graph.requests)
    api.post("/v1/routing/sweep", json={})  # a new promise was made: not repeated at once
    assert len(graph.requests) == count


def test_a_forged_or_malformed_delivery_stores_and_sends_nothing(api: TestClient,
                                                                 graph: FakeGraph) -> None:
    forged = post(api, text("wamid.f-1", "I want to talk to a human"), secret="not-the-secret")
    assert forged.status_code == 403
    broken = b'{"object": "whatsapp_business_account", "entry": [{"changes": 7}]}'
    assert post(api, broken).status_code == 400
    assert api.get(f"/v1/conversations/{THREAD}").status_code == 404
    assert graph.requests == []


def test_a_delivery_receipt_settles_a_send_whose_outcome_was_unknown(
        api: TestClient, wl: Warmline, graph: FakeGraph) -> None:
    from tests.fake_channels import Scripted

    wl.channels["whatsapp"].timeout = 0.1  # type: ignore[attr-defined]
    graph.fail_next(Scripted(delay=0.4))  # Meta takes it, but the answer comes too late
    post(api, text("wamid.u-1", "Hi, what is your return policy?"))
    [owed] = api.get(f"/v1/conversations/{THREAD}/outbox").json()["items"]
    assert owed["state"] == "uncertain"
    receipt = json.loads((FIXTURES / "status_delivered.json").read_text())
    status = receipt["entry"][0]["changes"][0]["value"]["statuses"][0]
    status["biz_opaque_callback_data"], status["id"] = owed["key"], "wamid.LATE"
    assert post(api, json.dumps(receipt).encode()).status_code == 200
    [settled] = api.get(f"/v1/conversations/{THREAD}/outbox").json()["items"]
    assert (settled["state"], settled["provider_message_id"]) == ("sent", "wamid.LATE")


def stale(message_id: str, words: str) -> bytes:
    """A text sent 25 hours ago (delivered late, or the thread went quiet since): every
    free-form message to this customer is outside the 24-hour window now."""
    body = json.loads(text(message_id, words))
    body["entry"][0]["changes"][0]["value"]["messages"][0]["timestamp"] = str(
        int(time.time()) - 25 * 3600)
    return json.dumps(body).encode()


def test_outside_the_24_hour_window_each_message_goes_as_the_policys_template(
        api: TestClient, graph: FakeGraph) -> None:
    hire(api, "ana")
    post(api, stale("wamid.t-1", "I want to talk to a human please"))
    expectation = sent(graph)[-1]
    assert expectation["type"] == "template" and expectation["to"] == WA_ID
    assert expectation["template"]["name"] == "warmline_expectation"
    assert expectation["template"]["language"] == {"code": "en"}
    [body] = expectation["template"]["components"]
    team, minutes = (p["text"] for p in body["parameters"])
    handoff = api.get(f"/v1/conversations/{THREAD}/handoff").json()
    assert team == handoff["queue"] and minutes.isdigit()

    if handoff["state"] == "queued":
        api.post("/v1/agents/ana/claims", json={})
    api.post(f"/v1/handoffs/{handoff['id']}/confirm", json={"agent_id": "ana"})
    api.post(f"/v1/conversations/{THREAD}/human-replies",
             json={"text": "Hi, I'm on it.\nGive me  a minute.", "author": "ana"})
    human = sent(graph)[-1]["template"]
    assert human["name"] == "warmline_human_reply"
    assert [p["text"] for p in human["components"][0]["parameters"]] == [
        "Ana", "Hi, I'm on it. Give me a minute."]  # Meta refuses newlines in parameters

    api.post(f"/v1/handoffs/{handoff['id']}/resolve", json={"by": "ana"})
    csat = sent(graph)[-1]
    recorded = json.loads((FIXTURES / "send_template.json").read_text())
    assert csat.keys() - {"biz_opaque_callback_data"} == recorded.keys()
    assert csat["template"]["name"] == "warmline_csat"
    buttons = csat["template"]["components"]
    assert [b["type"] for b in buttons] == ["button"] * 3  # no body variables
    assert [(b["sub_type"], b["index"], b["parameters"]) for b in buttons] == [
        ("quick_reply", str(i), [{"type": "payload", "payload": p}])
        for i, p in enumerate(["csat:5", "csat:3", "csat:1"])]
    assert {tuple(sorted(c)) for c in buttons} == {
        tuple(sorted(recorded["template"]["components"][1]))}

    outbox = api.get(f"/v1/conversations/{THREAD}/outbox").json()["items"]
    assert [(i["kind"], i["state"]) for i in outbox] == [
        ("expectation", "sent"), ("assigned", "sent"), ("human_reply", "sent"),
        ("csat_question", "sent")]
    assert outbox[0]["key"] == expectation["biz_opaque_callback_data"]  # receipts settle it
    assert not any(m["type"] in ("text", "interactive") for m in sent(graph))


def test_a_tap_on_the_csat_templates_quick_reply_is_stored_as_the_score(
        api: TestClient, graph: FakeGraph) -> None:
    hire(api, "ana")
    post(api, stale("wamid.q-1", "I want to talk to a human please"))
    handoff = api.get(f"/v1/conversations/{THREAD}/handoff").json()
    if handoff["state"] == "queued":
        api.post("/v1/agents/ana/claims", json={})
    api.post(f"/v1/handoffs/{handoff['id']}/confirm", json={"agent_id": "ana"})
    api.post(f"/v1/handoffs/{handoff['id']}/resolve", json={"by": "ana"})
    assert sent(graph)[-1]["template"]["name"] == "warmline_csat"
    quick = json.loads((FIXTURES / "template_button.json").read_text())
    message = quick["entry"][0]["changes"][0]["value"]["messages"][0]
    message["id"], message["timestamp"] = "wamid.q-2", str(int(time.time()))
    message["button"] = {"payload": "csat:3", "text": "OK"}
    assert post(api, json.dumps(quick).encode()).json()["stored"] == 1
    events = api.get(f"/v1/conversations/{THREAD}").json()["events"]
    assert [e["score"] for e in events if e["type"] == "CsatReceived"] == [3]


@pytest.fixture
def no_csat_template(wl: Warmline) -> Warmline:
    from dataclasses import replace

    m = wl.policy.messages["en"]
    templates = {k: v for k, v in m.whatsapp_templates.items() if k != "csat_question"}
    policy = replace(wl.policy, messages={"en": replace(m, whatsapp_templates=templates)})
    assert wl.dispatcher is not None
    wl.dispatcher.policy = lambda: policy
    return wl


def test_a_message_kind_without_a_template_outside_the_window_fails_with_the_reason(
        api: TestClient, no_csat_template: Warmline, graph: FakeGraph) -> None:
    hire(api, "ana")
    post(api, stale("wamid.n-1", "I want to talk to a human please"))
    handoff = api.get(f"/v1/conversations/{THREAD}/handoff").json()
    if handoff["state"] == "queued":
        api.post("/v1/agents/ana/claims", json={})
    api.post(f"/v1/handoffs/{handoff['id']}/confirm", json={"agent_id": "ana"})
    before = len(graph.requests)
    resolved = api.post(f"/v1/handoffs/{handoff['id']}/resolve", json={"by": "ana"})
    assert resolved.status_code == 200  # the fact is committed; the message waits
    assert len(graph.requests) == before  # nothing reached Meta
    items = api.get(f"/v1/conversations/{THREAD}/outbox").json()["items"]
    [csat] = [i for i in items if i["kind"] == "csat_question"]
    assert csat["state"] == "failed" and csat["attempts"] == 1
    assert "24-hour window" in csat["last_error"]
    assert "messages.en.whatsapp_templates.csat_question" in csat["last_error"]


def test_a_131047_receipt_for_a_free_form_send_is_answered_with_the_template(
        api: TestClient, graph: FakeGraph) -> None:
    hire(api, "ana")
    post(api, text("wamid.r131-1", "I want to talk to a human please"))
    [owed] = api.get(f"/v1/conversations/{THREAD}/outbox").json()["items"]
    assert sent(graph)[-1]["type"] == "text" and owed["state"] == "sent"
    receipt = json.loads((FIXTURES / "status_failed.json").read_text())  # Meta's clock
    status = receipt["entry"][0]["changes"][0]["value"]["statuses"][0]  # said: closed
    status["biz_opaque_callback_data"] = owed["key"]
    assert post(api, json.dumps(receipt).encode()).status_code == 200
    resent = sent(graph)[-1]
    assert resent["type"] == "template" and resent["template"]["name"] == "warmline_expectation"
    assert resent["biz_opaque_callback_data"] == f"{owed['key']}:template"
    [settled] = api.get(f"/v1/conversations/{THREAD}/outbox").json()["items"]
    assert settled["state"] == "sent"
    assert "131047" in settled["last_error"] and "warmline_expectation" in settled["last_error"]
    count = len(graph.requests)
    assert post(api, json.dumps(receipt).encode()).status_code == 200  # Meta retries the hook
    assert len(graph.requests) == count  # the template is not sent twice
