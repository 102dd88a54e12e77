"""The WhatsApp and Chatwoot webhook routers on the real service over real SQLite.

Each platform's recorded payload goes in through HTTP as the platform sends it (raw bytes,
its signature header). A good delivery is stored and answers 200; a bad signature, a
malformed payload and a duplicate delivery leave every table exactly as it was.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from warmline.adapters.channels.chatwoot import signature_for as chatwoot_signature
from warmline.adapters.channels.whatsapp import signature_for as whatsapp_signature
from warmline.adapters.commerce.memory import MemoryCommerceRecord
from warmline.adapters.signals.lexical import LexicalSignals
from warmline.bootstrap import Warmline, bootstrap, sql_uow_factory
from warmline.config import Config
from warmline.domain.record.commerce import Customer, RecordBatch
from warmline.domain.seam.channels import DeliveryStatus
from warmline.entrypoints.channels.inbound import InboundSink
from warmline.entrypoints.channels.webhooks import channel_routers, whatsapp_router
from warmline.service.views.conversations import conversation_view

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "channels"
APP_SECRET, BOT_SECRET = "meta-app-secret", "chatwoot-bot-secret"
ENV = {"WARMLINE_WHATSAPP_APP_SECRET": APP_SECRET, "WARMLINE_WHATSAPP_VERIFY_TOKEN": "verify-me",
       "WARMLINE_WHATSAPP_PHONE_NUMBER_ID": "106540352242922",
       "WARMLINE_CHATWOOT_WEBHOOK_SECRET": BOT_SECRET, "WARMLINE_CHATWOOT_ACCOUNT_ID": "1"}


def raw(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def build(sqlite_url: str, **env: str) -> Warmline:
    config = Config.from_env({"WARMLINE_DATABASE_URL": sqlite_url, **ENV, **env})
    record = MemoryCommerceRecord(RecordBatch(customers=[
        Customer(ref="c-1001", name="Sheena Nelson", contacts=(("whatsapp", "16505551234"),))]))
    return bootstrap(config, uow=sql_uow_factory(sqlite_url), record=record,
                     signals=LexicalSignals())


@pytest.fixture
def wl(sqlite_url: str) -> Warmline:
    return build(sqlite_url)


@pytest.fixture
def http(wl: Warmline) -> Iterator[TestClient]:
    app = FastAPI()
    for router in channel_routers(wl):
        app.include_router(router)
    with TestClient(app) as c:
        yield c


@pytest.fixture
def snapshot(sqlite_url: str) -> Callable[[], dict[str, Any]]:
    """Every row of every table, so 'unchanged' means unchanged."""
    engine = sa.create_engine(sqlite_url)

    def take() -> dict[str, Any]:
        with engine.connect() as conn:
            names = sa.inspect(conn).get_table_names()
            return {n: conn.execute(sa.text(f'SELECT * FROM "{n}"')).fetchall() for n in names}

    return take


def post_whatsapp(http: TestClient, body: bytes, secret: str | None = APP_SECRET) -> Any:
    headers = {"content-type": "application/json"}
    if secret is not None:
        headers["x-hub-signature-256"] = whatsapp_signature(secret, body)
    return http.post("/webhooks/whatsapp", content=body, headers=headers)


def post_chatwoot(http: TestClient, body: bytes, secret: str | None = BOT_SECRET,
                  query: str = "") -> Any:
    headers = {"content-type": "application/json"}
    if secret is not None:
        stamp = str(int(datetime.now(UTC).timestamp()))
        headers |= {"x-chatwoot-signature": chatwoot_signature(secret, stamp, body),
                    "x-chatwoot-timestamp": stamp, "x-chatwoot-delivery": "d-1"}
    return http.post(f"/webhooks/chatwoot{query}", content=body, headers=headers)


def view(wl: Warmline, conversation_id: str) -> dict[str, Any]:
    found = conversation_view(wl.uow(), conversation_id)
    assert found is not None, conversation_id
    return found


# --- WhatsApp -----------------------------------------------------------------------------


def test_metas_handshake_gets_the_challenge_back_as_plain_text(http: TestClient) -> None:
    ok = http.get("/webhooks/whatsapp", params={
        "hub.mode": "subscribe", "hub.verify_token": "verify-me", "hub.challenge": "8812"})
    assert ok.status_code == 200 and ok.text == "8812"
    bad = http.get("/webhooks/whatsapp", params={
        "hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "8812"})
    assert bad.status_code == 403 and "8812" not in bad.text


def test_a_signed_text_is_stored_on_the_customers_thread_linked_to_the_record(
        http: TestClient, wl: Warmline) -> None:
    response = post_whatsapp(http, raw("whatsapp/text.json"))
    assert response.status_code == 200
    assert response.json() == {"received": 1, "stored": 1, "duplicates": 0, "refused": []}
    conv = view(wl, "wa-16505551234")
    assert conv["channel"] == "whatsapp" and conv["customer_ref"] == "c-1001"
    assert [t["text"] for t in conv["turns"]] == ["Does it come in another color?"]


def test_a_duplicate_delivery_is_a_no_op_answered_200(
        http: TestClient, snapshot: Callable[[], dict[str, Any]]) -> None:
    body = raw("whatsapp/text.json")
    post_whatsapp(http, body)
    before = snapshot()
    again = post_whatsapp(http, body)
    assert again.status_code == 200 and again.json()["duplicates"] == 1
    assert snapshot() == before


@pytest.mark.parametrize(("secret", "status"), [(None, 401), ("not-the-app-secret", 403)])
def test_a_missing_or_bad_signature_is_refused_and_stores_nothing(
        http: TestClient, snapshot: Callable[[], dict[str, Any]], secret: str | None,
        status: int) -> None:
    before = snapshot()
    response = post_whatsapp(http, raw("whatsapp/text.json"), secret=secret)
    assert response.status_code == status
    assert snapshot() == before


def test_a_malformed_payload_answers_400_and_stores_nothing_of_it(
        http: TestClient, snapshot: Callable[[], dict[str, Any]]) -> None:
    """One good message and one broken one in the same delivery: neither is stored."""
    payload = json.loads(raw("whatsapp/text.json"))
    messages = payload["entry"][0]["changes"][0]["value"]["messages"]
    messages.append({"from": "16505551234", "type": "text", "text": {"body": "no id"}})
    before = snapshot()
    response = post_whatsapp(http, json.dumps(payload).encode())
    assert response.status_code == 400 and response.json()["error"] == "malformed"
    assert snapshot() == before
    assert post_whatsapp(http, b"{not json").status_code == 400


def test_the_one_tap_button_requests_a_handoff_that_escalates_at_once(
        http: TestClient, wl: Warmline) -> None:
    assert post_whatsapp(http, raw("whatsapp/button_reply.json")).json()["stored"] == 1
    conv = view(wl, "wa-16505551234")
    assert conv["escalated"] is True
    assert [t["kind"] for t in conv["escalation"]["triggers"]] == ["human_request"]
    requested = [e for e in conv["events"] if e["type"] == "HandoffRequested"]
    assert requested and requested[0]["source"] == "button"


def test_media_is_stored_as_a_labelled_turn(http: TestClient, wl: Warmline) -> None:
    post_whatsapp(http, raw("whatsapp/image.json"))
    assert view(wl, "wa-16505551234")["turns"][0]["text"] == "[image] The lamp arrived broken"


def test_status_receipts_answer_200_store_nothing_and_reach_the_status_hook(
        wl: Warmline, snapshot: Callable[[], dict[str, Any]]) -> None:
    seen: list[DeliveryStatus] = []
    app = FastAPI()
    from warmline.adapters.channels.whatsapp import WhatsAppInbound, WhatsAppSettings

    inbound = WhatsAppInbound(WhatsAppSettings.from_config(wl.config))
    app.include_router(whatsapp_router(inbound, InboundSink(wl.bus, on_status=seen.append)))
    before = snapshot()
    with TestClient(app) as c:
        for name in ("status_sent", "status_delivered", "status_read", "status_failed"):
            response = post_whatsapp(c, raw(f"whatsapp/{name}.json"))
            assert response.status_code == 200 and response.json()["stored"] == 0
    assert snapshot() == before
    assert [s.status for s in seen] == ["sent", "delivered", "read", "failed"]
    assert seen[-1].window_closed


def test_a_reaction_is_acknowledged_and_ignored(
        http: TestClient, snapshot: Callable[[], dict[str, Any]]) -> None:
    before = snapshot()
    assert post_whatsapp(http, raw("whatsapp/reaction.json")).status_code == 200
    assert snapshot() == before


# --- Chatwoot -----------------------------------------------------------------------------


def test_a_signed_incoming_message_is_stored_on_the_chatwoot_thread(
        http: TestClient, wl: Warmline) -> None:
    response = post_chatwoot(http, raw("chatwoot/message_created_incoming.json"))
    assert response.status_code == 200 and response.json()["stored"] == 1
    conv = view(wl, "cw-1-10")
    assert conv["channel"] == "chatwoot" and conv["turns"][0]["text"] == "hi"


@pytest.mark.parametrize("name", [
    "chatwoot/message_created_outgoing_bot.json", "chatwoot/message_created_private_note.json",
])
def test_the_bots_own_messages_and_notes_are_acknowledged_but_never_stored(
        http: TestClient, snapshot: Callable[[], dict[str, Any]], name: str) -> None:
    before = snapshot()
    response = post_chatwoot(http, raw(name))
    assert response.status_code == 200 and response.json()["received"] == 0
    assert snapshot() == before


@pytest.mark.parametrize(("secret", "status"), [(None, 401), ("wrong-secret", 403)])
def test_a_chatwoot_delivery_with_a_bad_signature_stores_nothing(
        http: TestClient, snapshot: Callable[[], dict[str, Any]], secret: str | None,
        status: int) -> None:
    before = snapshot()
    response = post_chatwoot(http, raw("chatwoot/message_created_incoming.json"), secret)
    assert response.status_code == status
    assert snapshot() == before


def test_a_malformed_chatwoot_payload_answers_400(
        http: TestClient, snapshot: Callable[[], dict[str, Any]]) -> None:
    before = snapshot()
    body = b'{"event": "message_created", "id": 5, "message_type": "incoming"}'
    assert post_chatwoot(http, body).status_code == 400
    assert snapshot() == before


def test_a_duplicate_chatwoot_delivery_changes_nothing(
        http: TestClient, snapshot: Callable[[], dict[str, Any]]) -> None:
    body = raw("chatwoot/message_created_incoming.json")
    post_chatwoot(http, body)
    before = snapshot()
    assert post_chatwoot(http, body).json()["duplicates"] == 1
    assert snapshot() == before


def test_a_widget_choice_of_the_one_tap_button_escalates_the_chatwoot_thread(
        http: TestClient, wl: Warmline) -> None:
    post_chatwoot(http, raw("chatwoot/message_created_incoming_pending.json"))
    assert post_chatwoot(http, raw("chatwoot/message_updated_input_select.json")
                         ).json()["stored"] == 1
    assert view(wl, "cw-1-10")["escalated"] is True


def test_unsigned_chatwoot_works_only_with_the_url_token(
        sqlite_url: str, snapshot: Callable[[], dict[str, Any]]) -> None:
    wl = build(sqlite_url, WARMLINE_CHATWOOT_WEBHOOK_SECRET="",
               WARMLINE_CHATWOOT_WEBHOOK_TOKEN="url-secret")
    app = FastAPI()
    for router in channel_routers(wl):
        app.include_router(router)
    body = raw("chatwoot/message_created_incoming.json")
    with TestClient(app) as c:
        before = snapshot()
        assert post_chatwoot(c, body, secret=None).status_code == 401
        assert post_chatwoot(c, body, secret=None, query="?token=guess").status_code == 403
        assert snapshot() == before
        assert post_chatwoot(c, body, secret=None, query="?token=url-secret").status_code == 200
    assert view(wl, "cw-1-10")["turns"][0]["text"] == "hi"
