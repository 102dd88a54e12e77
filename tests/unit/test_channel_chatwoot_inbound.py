"""Chatwoot inbound: what is authentic, what is the customer, and what would be a loop."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from warmline.adapters.channels.chatwoot import (
    ChatwootInbound,
    ChatwootSettings,
    conversation_id_for,
    display_id_of,
    signature_for,
)
from warmline.domain.seam.channels import (
    ButtonTap,
    CustomerText,
    MalformedPayload,
    MediaReceived,
    ThreadStatusChanged,
    WebhookRejected,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "channels" / "chatwoot"
NOW = datetime(2026, 3, 30, 12, 0, tzinfo=UTC)
STAMP = str(int(NOW.timestamp()))
SIGNED = ChatwootInbound(ChatwootSettings(webhook_secret="bot-secret"), now=lambda: NOW)


def raw(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def signed_headers(body: bytes, stamp: str = STAMP, secret: str = "bot-secret") -> dict[str, str]:
    return {"X-Chatwoot-Signature": signature_for(secret, stamp, body),
            "X-Chatwoot-Timestamp": stamp, "X-Chatwoot-Delivery": "3f1c0a52-delivery"}


# --- authenticity -------------------------------------------------------------------------


def test_a_delivery_signed_over_timestamp_and_body_is_accepted() -> None:
    body = raw("message_created_incoming.json")
    assert SIGNED.verify(signed_headers(body), body) is None  # no WebhookRejected


@pytest.mark.parametrize("headers", [
    {},
    {"X-Chatwoot-Timestamp": STAMP},
    {"X-Chatwoot-Signature": "sha256=" + "0" * 64, "X-Chatwoot-Timestamp": STAMP},
])
def test_a_missing_or_wrong_signature_is_rejected(headers: dict[str, str]) -> None:
    with pytest.raises(WebhookRejected):
        SIGNED.verify(headers, raw("message_created_incoming.json"))


def test_a_signature_over_the_body_alone_is_rejected() -> None:
    """The timestamp is part of the signed string; signing the body alone is not Chatwoot's."""
    body = raw("message_created_incoming.json")
    from warmline.adapters.channels.base import hmac_sha256_hex

    headers = {"X-Chatwoot-Signature": "sha256=" + hmac_sha256_hex("bot-secret", body),
               "X-Chatwoot-Timestamp": STAMP}
    with pytest.raises(WebhookRejected):
        SIGNED.verify(headers, body)


def test_a_replayed_delivery_older_than_five_minutes_is_rejected() -> None:
    body = raw("message_created_incoming.json")
    old = str(int(NOW.timestamp()) - 301)
    with pytest.raises(WebhookRejected, match="replay"):
        SIGNED.verify(signed_headers(body, stamp=old), body)


def test_a_swapped_timestamp_breaks_the_signature() -> None:
    body = raw("message_created_incoming.json")
    headers = signed_headers(body, stamp=str(int(NOW.timestamp()) - 10))
    headers["X-Chatwoot-Timestamp"] = STAMP
    with pytest.raises(WebhookRejected):
        SIGNED.verify(headers, body)


def test_unsigned_chatwoot_is_accepted_only_with_the_url_token() -> None:
    inbound = ChatwootInbound(ChatwootSettings(webhook_token="url-token"))
    body = raw("message_created_incoming.json")
    inbound.verify({}, body, url_token="url-token")
    for wrong in (None, "", "url-tokeN"):
        with pytest.raises(WebhookRejected):
            inbound.verify({}, body, url_token=wrong)


def test_with_neither_secret_nor_token_every_webhook_is_rejected() -> None:
    with pytest.raises(WebhookRejected, match="WEBHOOK_SECRET"):
        ChatwootInbound(ChatwootSettings()).verify({}, b"{}", url_token="anything")


# --- what the customer said ---------------------------------------------------------------


def test_an_incoming_contact_message_becomes_customer_text_on_its_thread() -> None:
    [event] = SIGNED.parse(raw("message_created_incoming.json"))
    assert isinstance(event, CustomerText)
    assert event.text == "hi" and event.message_id == "118"
    assert event.conversation_id == "cw-1-10" and event.contact_id == "14"
    assert event.contact_name == "little-haze-776" and event.channel == "chatwoot"
    assert event.sent_at == datetime(2021, 7, 23, 18, 2, 48, tzinfo=UTC)


@pytest.mark.parametrize("name", [
    "message_created_outgoing_bot.json", "message_created_private_note.json",
])
def test_the_bots_own_replies_and_private_notes_are_ignored_so_nothing_loops(name: str) -> None:
    assert SIGNED.parse(raw(name)) == []


def test_an_incoming_message_marked_private_is_ignored() -> None:
    payload = json.loads(raw("message_created_incoming.json"))
    payload["private"] = True
    assert SIGNED.parse(json.dumps(payload).encode()) == []


def test_an_attachment_becomes_media_with_the_content_as_caption() -> None:
    payload = json.loads(raw("message_created_incoming.json"))
    payload["content"] = "it arrived like this"
    payload["attachments"] = [{"id": 55, "message_id": 118, "file_type": "image",
                               "account_id": 1, "extension": None,
                               "data_url": "https://chatwoot.example/rails/blob/photo.jpg",
                               "thumb_url": "", "file_size": 1234}]
    [event] = SIGNED.parse(json.dumps(payload).encode())
    assert isinstance(event, MediaReceived)
    assert (event.kind, event.media_id, event.caption) == ("image", "55", "it arrived like this")


def test_a_choice_on_the_bots_input_select_becomes_a_tap() -> None:
    [event] = SIGNED.parse(raw("message_updated_input_select.json"))
    assert isinstance(event, ButtonTap) and event.wants_human
    assert event.message_id == "123:submitted" and event.in_reply_to == "123"
    assert event.conversation_id == "cw-1-10"


def test_other_message_updates_are_ignored() -> None:
    payload = json.loads(raw("message_created_incoming.json"))
    payload["event"] = "message_updated"
    assert SIGNED.parse(json.dumps(payload).encode()) == []


def test_a_resolved_conversation_becomes_a_thread_status_change() -> None:
    [event] = SIGNED.parse(raw("conversation_resolved.json"))
    assert isinstance(event, ThreadStatusChanged)
    assert event.status == "resolved" and event.conversation_id == "cw-1-10"
    assert event.message_id == "conversation:10:conversation_resolved:1627063520"


def test_events_the_bot_does_not_act_on_parse_to_nothing() -> None:
    assert SIGNED.parse(b'{"event": "webwidget_triggered", "id": 12}') == []


@pytest.mark.parametrize("body", [
    b"<html>", b"[]", b'{"id": 1}',
    b'{"event": "message_created", "id": 1, "message_type": "incoming"}',
    b'{"event": "message_created", "id": "x", "message_type": "incoming",'
    b' "conversation": {"id": 1}, "account": {"id": 1}}',
])
def test_a_payload_not_in_chatwoots_shape_is_malformed(body: bytes) -> None:
    with pytest.raises(MalformedPayload):
        SIGNED.parse(body)


def test_thread_ids_map_both_ways() -> None:
    assert conversation_id_for(7, 42) == "cw-7-42"
    assert display_id_of("cw-7-42") == 42
    with pytest.raises(ValueError):
        display_id_of("wa-16505551234")
