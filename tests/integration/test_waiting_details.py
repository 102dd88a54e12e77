"""Keeping the thread useful while the customer waits for a person, on WhatsApp.

The customer of the record (found by their WhatsApp number) asks for a person about a
damaged order. While they wait the bot confirms the order number from the record (Yes /
No buttons), asks for photos of the damage (the photo they send counts as received),
confirms the delivery address (they say it is wrong), and shares the tracking link; each
is a `DetailChecked` event and shows in the context the person opens. "How long now?" is
still answered; anything else is left for the person. A person asking for a photo that
already came is a seam leak. Every assertion on what the customer saw is on the request
the fake Graph API received.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.fake_channels import FakeGraph, serve
from tests.http_client import admin_client
from tests.integration.test_seam_whatsapp import (
    FIXTURES,
    SECRET,
    THREAD,
    WA_ID,
    body_text,
    hire,
    post,
    sent,
    tap,
    text,
)

from warmline.adapters.clock import FixedClock
from warmline.adapters.commerce.memory import MemoryCommerceRecord
from warmline.adapters.signals.lexical import LexicalSignals
from warmline.bootstrap import Warmline, bootstrap, sql_uow_factory
from warmline.config import Config
from warmline.domain.record.commerce import Customer, LineItem, Order, RecordBatch

OPEN = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)
TRACKING = "https://track.example/parcel/JD0143"
ADDRESS = "Lindenstrasse 5, 10969 Berlin"


@pytest.fixture
def graph() -> Iterator[FakeGraph]:
    fake = FakeGraph()
    with serve(fake):
        yield fake


def batch(status: str = "dispatched") -> RecordBatch:
    return RecordBatch(
        customers=[Customer(ref="c-1001", name="Sheena Nelson",
                            contacts=(("whatsapp", WA_ID),))],
        orders=[Order(id="1043", customer_ref="c-1001", status=status, total=184.0,
                      placed_at=OPEN - timedelta(days=4),
                      dispatched_at=OPEN - timedelta(days=2), carrier="DHL",
                      tracking_url=TRACKING, shipping_address=ADDRESS,
                      lines=(LineItem(sku="BL-1", name="Aurora Blender", unit_price=184.0),))])


@pytest.fixture
def shop() -> MemoryCommerceRecord:
    return MemoryCommerceRecord(batch())


@pytest.fixture
def api(sqlite_url: str, graph: FakeGraph, shop: MemoryCommerceRecord) -> Iterator[TestClient]:
    config = Config.from_env({
        "WARMLINE_DATABASE_URL": sqlite_url, "WARMLINE_AGENT": "reference",
        "WARMLINE_WHATSAPP_APP_SECRET": SECRET, "WARMLINE_WHATSAPP_VERIFY_TOKEN": "v",
        "WARMLINE_WHATSAPP_ACCESS_TOKEN": "test-access-token",
        "WARMLINE_WHATSAPP_PHONE_NUMBER_ID": "106540352242922",
        "WARMLINE_WHATSAPP_API_URL": f"{graph.url}/v23.0"})
    wl: Warmline = bootstrap(config, uow=sql_uow_factory(sqlite_url), record=shop,
                             signals=LexicalSignals(), clock=FixedClock(OPEN))
    with admin_client(wl) as c:
        yield c


def photo(message_id: str) -> bytes:
    body = json.loads((FIXTURES / "image.json").read_text())
    message = body["entry"][0]["changes"][0]["value"]["messages"][0]
    message["id"], message["timestamp"] = message_id, str(int(time.time()))
    return json.dumps(body).encode()


def buttons(message: dict[str, Any]) -> list[tuple[str, str]]:
    return [(b["reply"]["id"], b["reply"]["title"])
            for b in message["interactive"]["action"]["buttons"]]


def details(api: TestClient) -> dict[str, dict[str, Any]]:
    context = api.get(f"/v1/conversations/{THREAD}/context").json()
    return {d["item"]: d for d in context["details_while_waiting"]}


def test_while_waiting_the_bot_confirms_each_detail_from_the_record_once(
        api: TestClient, graph: FakeGraph) -> None:
    hire(api, "ana")
    post(api, text("wamid.d-1", "I want to talk to a person, the blender from order #1043 "
                                "arrived damaged"))
    expectation, question = sent(graph)[-2:]
    assert "in line" in body_text(expectation)
    assert "order #1043" in body_text(question)
    assert buttons(question) == [("confirm:yes", "Yes"), ("confirm:no", "No")]
    assert details(api)["order_number"]["state"] == "asked"

    post(api, tap("wamid.d-2", "confirm:yes", "Yes"))
    assert "photo of the damage" in body_text(sent(graph)[-1])
    assert details(api)["order_number"] == {
        "item": "order_number", "state": "done", "outcome": "confirmed", "value": "#1043",
        "note": "Yes"}

    post(api, photo("wamid.d-3"))
    thanks, address = sent(graph)[-2:]
    assert body_text(thanks).startswith("Thank you, I've added it")
    assert ADDRESS in body_text(address) and buttons(address)[0][0] == "confirm:yes"

    post(api, text("wamid.d-4", "No, I moved last week: Rue de la Paix 2, Paris"))
    disputed, tracking = sent(graph)[-2:]
    assert "check it with you" in body_text(disputed)
    assert TRACKING in body_text(tracking) and "#1043" in body_text(tracking)

    checked = details(api)
    assert {k: v["state"] for k, v in checked.items()} == {
        "order_number": "done", "damage_photos": "done", "address": "disputed",
        "tracking_link": "done"}
    assert checked["address"]["value"] == ADDRESS
    assert "Rue de la Paix" in checked["address"]["note"]  # the person sees the new one
    assert checked["damage_photos"]["outcome"] == "received"
    events = api.get(f"/v1/conversations/{THREAD}").json()["events"]
    assert [(e["item"], e["outcome"]) for e in events if e["type"] == "DetailChecked"] == [
        ("order_number", "confirmed"), ("damage_photos", "received"),
        ("address", "disputed"), ("tracking_link", "shared")]

    count = len(graph.requests)
    post(api, text("wamid.d-5", "Can you give me a discount code for the trouble?"))
    post(api, text("wamid.d-6", "Yes"))  # nothing asked any more: no answer to anything
    assert len(graph.requests) == count  # still no improvising
    post(api, text("wamid.d-7", "How long now?"))
    assert "in line" in body_text(sent(graph)[-1])  # the live wait, as before
    kinds = [i["kind"] for i in api.get(f"/v1/conversations/{THREAD}/outbox").json()["items"]]
    assert kinds == ["expectation", "confirm_order", "ask_photos", "photos_received",
                     "confirm_address", "detail_disputed", "share_tracking", "wait_update"]


def test_a_person_asking_for_a_detail_already_confirmed_is_a_seam_leak(
        api: TestClient, graph: FakeGraph) -> None:
    hire(api, "ana")
    post(api, text("wamid.k-1", "I want to talk to a person, order #1043 arrived broken"))
    post(api, tap("wamid.k-2", "confirm:yes", "Yes"))
    post(api, photo("wamid.k-3"))
    post(api, tap("wamid.k-4", "confirm:no", "No"))  # the address is disputed
    for words in ("Hi! Could you send me a photo of the damage?",
                  "And can you confirm your delivery address?"):
        assert api.post(f"/v1/conversations/{THREAD}/human-replies",
                        json={"text": words, "author": "ana"}).status_code == 201
    events = api.get(f"/v1/conversations/{THREAD}").json()["events"]
    leaks = [(e["who"], e["item"]) for e in events if e["type"] == "SeamLeakDetected"]
    assert ("human", "damage_photos") in leaks  # the photo had come: a leak
    assert ("human", "address") not in leaks  # disputed: the person must ask


def test_a_customer_the_record_does_not_know_is_asked_nothing_while_waiting(
        api: TestClient, graph: FakeGraph) -> None:
    hire(api, "ana")
    stranger = "4915550009"  # no customer of the record has this number: no order to confirm
    post(api, text("wamid.n-1", "I want to talk to a human please").replace(
        WA_ID.encode(), stranger.encode()))
    assert [(m["to"], m["type"]) for m in sent(graph)] == [(stranger, "text")]  # expectation
    context = api.get(f"/v1/conversations/wa-{stranger}/context").json()
    assert context["details_while_waiting"] == []


@pytest.mark.parametrize("shop", [MemoryCommerceRecord()])
def test_a_whatsapp_number_the_record_learns_later_identifies_the_thread(
        api: TestClient, graph: FakeGraph, shop: MemoryCommerceRecord) -> None:
    hire(api, "ana")
    post(api, text("wamid.i-1", "Hello, where is my parcel?"))  # the number is unknown yet
    assert api.get(f"/v1/conversations/{THREAD}").json()["customer_ref"] is None
    shop.write(batch())  # the shop imports the customer with this WhatsApp number
    post(api, text("wamid.i-2", "I want to talk to a person, order #1043 arrived damaged"))
    view = api.get(f"/v1/conversations/{THREAD}").json()
    assert view["customer_ref"] == "c-1001"
    assert [e["customer_ref"] for e in view["events"]
            if e["type"] == "CustomerIdentified"] == ["c-1001"]
    package = api.get(f"/v1/conversations/{THREAD}/context").json()["package"]
    assert package["refs"]["customer_ref"] == "c-1001" and package["record"] is not None
    assert "order #1043" in body_text(sent(graph)[-1])  # the details come from the record
