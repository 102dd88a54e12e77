"""WhatsApp inbound: the handshake, the signature on the raw body, and each recorded payload."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from warmline.adapters.channels.whatsapp import (
    WhatsAppInbound,
    WhatsAppSettings,
    answer_challenge,
    signature_for,
)
from warmline.domain.seam.channels import (
    HANDOFF_BUTTON_ID,
    ButtonTap,
    CustomerText,
    DeliveryStatus,
    MalformedPayload,
    MediaReceived,
    Unsupported,
    WebhookRejected,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "channels" / "whatsapp"
SECRET = "test-app-secret"
SETTINGS = WhatsAppSettings(app_secret=SECRET, verify_token="let-me-in",
                            phone_number_id="106540352242922")


def raw(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def parse(name: str) -> list[object]:
    return list(WhatsAppInbound(SETTINGS).parse(raw(name)))


# --- the handshake ------------------------------------------------------------------------


def test_the_handshake_echoes_the_challenge_when_the_verify_token_matches() -> None:
    params = {"hub.mode": "subscribe", "hub.verify_token": "let-me-in",
              "hub.challenge": "1158201444"}
    assert answer_challenge(params, "let-me-in") == "1158201444"


@pytest.mark.parametrize("params", [
    {"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1"},
    {"hub.mode": "unsubscribe", "hub.verify_token": "let-me-in", "hub.challenge": "1"},
    {"hub.mode": "subscribe", "hub.verify_token": "let-me-in"},
    {},
])
def test_the_handshake_is_refused_with_a_wrong_token_mode_or_no_challenge(
        params: dict[str, str]) -> None:
    assert answer_challenge(params, "let-me-in") is None


def test_the_handshake_is_refused_when_no_verify_token_is_configured() -> None:
    params = {"hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "1"}
    assert answer_challenge(params, "") is None


# --- the signature ------------------------------------------------------------------------


def test_a_body_signed_with_the_app_secret_is_accepted() -> None:
    body = raw("text.json")
    headers = {"X-Hub-Signature-256": signature_for(SECRET, body)}
    assert WhatsAppInbound(SETTINGS).verify(headers, body) is None  # no WebhookRejected


@pytest.mark.parametrize("header", [
    None, "", "sha1=abc", "sha256=" + "0" * 64, signature_for("another-secret", b"{}"),
])
def test_a_missing_or_wrong_signature_is_rejected(header: str | None) -> None:
    headers = {} if header is None else {"x-hub-signature-256": header}
    with pytest.raises(WebhookRejected):
        WhatsAppInbound(SETTINGS).verify(headers, raw("text.json"))


def test_one_changed_byte_breaks_the_signature() -> None:
    body = raw("text.json")
    signature = signature_for(SECRET, body)
    tampered = body.replace(b"another color", b"another colour")
    with pytest.raises(WebhookRejected):
        WhatsAppInbound(SETTINGS).verify({"x-hub-signature-256": signature}, tampered)


def test_without_an_app_secret_every_webhook_is_rejected() -> None:
    body = raw("text.json")
    with pytest.raises(WebhookRejected, match="APP_SECRET"):
        WhatsAppInbound(WhatsAppSettings()).verify(
            {"x-hub-signature-256": signature_for("", body)}, body)


# --- the payloads -------------------------------------------------------------------------


def test_a_text_message_becomes_customer_text_keyed_by_its_wamid() -> None:
    [event] = parse("text.json")
    assert isinstance(event, CustomerText)
    assert event.text == "Does it come in another color?"
    assert event.message_id == "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA="
    assert event.contact_id == "16505551234" and event.contact_name == "Sheena Nelson"
    assert event.conversation_id == "wa-16505551234" and event.channel == "whatsapp"
    assert event.sent_at == datetime.fromtimestamp(1749416383, UTC)


def test_the_one_tap_reply_button_becomes_a_tap_that_wants_a_human() -> None:
    [event] = parse("button_reply.json")
    assert isinstance(event, ButtonTap)
    assert event.button_id == HANDOFF_BUTTON_ID and event.wants_human
    assert event.title == "Talk to a person"
    assert event.in_reply_to == "wamid.HBgLMTY0NjcwNDM1OTUVAgARGBJBM0Y4RUU0RUNFQkFDMjYzQUMA"


def test_a_list_choice_becomes_a_tap_with_its_row_id() -> None:
    [event] = parse("list_reply.json")
    assert isinstance(event, ButtonTap)
    assert (event.button_id, event.title, event.wants_human) == ("csat:5", "Very good", False)


def test_a_template_quick_reply_becomes_a_tap_with_its_payload() -> None:
    [event] = parse("template_button.json")
    assert isinstance(event, ButtonTap) and event.wants_human


def test_an_image_becomes_media_with_its_caption_and_media_id() -> None:
    [event] = parse("image.json")
    assert isinstance(event, MediaReceived)
    assert (event.kind, event.media_id, event.mime_type) == ("image", "1003383421387256",
                                                              "image/jpeg")
    assert event.as_text() == "[image] The lamp arrived broken"


def test_a_document_keeps_its_filename() -> None:
    [event] = parse("document.json")
    assert isinstance(event, MediaReceived)
    assert event.filename == "invoice-1043.pdf"
    assert event.as_text() == "[document: invoice-1043.pdf] My invoice"


def test_a_reaction_is_parsed_as_unsupported() -> None:
    [event] = parse("reaction.json")
    assert isinstance(event, Unsupported) and event.kind == "reaction"


@pytest.mark.parametrize(("name", "status"), [
    ("status_sent.json", "sent"), ("status_delivered.json", "delivered"),
    ("status_read.json", "read"), ("status_failed.json", "failed"),
])
def test_statuses_become_receipts_for_the_outbound_message(name: str, status: str) -> None:
    [event] = parse(name)
    assert isinstance(event, DeliveryStatus)
    assert event.status == status and event.contact_id == "16505551234"
    assert event.message_id == "wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI4NUE5MDBGQjg1QjU1Q0Y5QjEA"
    assert event.outbound_key == "wa-16505551234:reply:7"


def test_a_failed_receipt_for_131047_says_the_window_closed() -> None:
    [event] = parse("status_failed.json")
    assert isinstance(event, DeliveryStatus)
    assert event.error_code == 131047 and event.window_closed
    assert event.error_title == "Re-engagement message"


def test_webhooks_for_another_business_number_are_ignored() -> None:
    other = WhatsAppInbound(WhatsAppSettings(app_secret=SECRET, phone_number_id="999"))
    assert other.parse(raw("text.json")) == []


def test_fields_other_than_messages_are_ignored() -> None:
    payload = json.loads(raw("text.json"))
    payload["entry"][0]["changes"][0]["field"] = "message_template_status_update"
    assert WhatsAppInbound(SETTINGS).parse(json.dumps(payload).encode()) == []


@pytest.mark.parametrize("body", [
    b"not json", b"[]", b'{"object": "page", "entry": []}',
    b'{"object": "whatsapp_business_account"}',
    b'{"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "messages",'
    b' "value": {"messages": []}}]}]}',
    b'{"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "messages",'
    b' "value": {"metadata": {"phone_number_id": "106540352242922"},'
    b' "messages": [{"from": "1", "type": "text", "text": {"body": "x"}}]}}]}]}',
    b'{"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "messages",'
    b' "value": {"metadata": {"phone_number_id": "106540352242922"},'
    b' "messages": [{"id": "wamid.1", "from": "1", "type": "text"}]}}]}]}',
])
def test_a_payload_not_in_the_cloud_api_shape_is_malformed(body: bytes) -> None:
    with pytest.raises(MalformedPayload):
        WhatsAppInbound(SETTINGS).parse(body)


def test_settings_keep_secrets_out_of_their_repr() -> None:
    shown = repr(WhatsAppSettings(app_secret="s1", verify_token="s2", access_token="s3"))
    assert "s1" not in shown and "s2" not in shown and "s3" not in shown
