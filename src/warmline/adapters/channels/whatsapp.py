"""WhatsApp Cloud API, inbound: the webhook handshake, the signature, and the payloads.

Meta calls one URL two ways (docs: "Create a webhook endpoint", developers.facebook.com/
documentation/business-messaging/whatsapp/webhooks/create-webhook-endpoint):
- GET with `hub.mode=subscribe`, `hub.verify_token` and `hub.challenge` when the URL is
  set in the App Dashboard: answer the challenge only if the token is ours;
- POST with a `messages` webhook, signed in `X-Hub-Signature-256: sha256=<hex>`, the
  HMAC-SHA256 of the raw body keyed by the app secret. The body is checked before it is
  parsed, in constant time, and a body that fails is never read.

A payload carries customer messages (`value.messages`: text, interactive button/list
replies, template quick replies, media) and receipts for what we sent (`value.statuses`:
sent, delivered, read, failed). Each becomes an InboundEvent keyed by its `wamid`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from warmline.adapters.channels.base import (
    epoch_to_datetime,
    hmac_sha256_hex,
    lower_keys,
    same_secret,
)
from warmline.config import Config
from warmline.domain.seam.channels import (
    ButtonTap,
    CustomerText,
    DeliveryStatus,
    InboundEvent,
    MalformedPayload,
    MediaReceived,
    Unsupported,
    WebhookRejected,
)

CHANNEL = "whatsapp"
MEDIA_KINDS = ("image", "document", "audio", "video", "sticker")


@dataclass(frozen=True)
class WhatsAppSettings:
    """Secrets are kept out of repr so they never reach a log line."""

    app_secret: str = field(default="", repr=False)
    verify_token: str = field(default="", repr=False)
    access_token: str = field(default="", repr=False)
    phone_number_id: str = ""
    api_url: str = "https://graph.facebook.com/v23.0"

    @classmethod
    def from_config(cls, config: Config) -> WhatsAppSettings:
        return cls(app_secret=config.whatsapp_app_secret,
                   verify_token=config.whatsapp_verify_token,
                   access_token=config.whatsapp_access_token,
                   phone_number_id=config.whatsapp_phone_number_id,
                   api_url=config.whatsapp_api_url)


def conversation_id_for(wa_id: str) -> str:
    """One Warmline thread per WhatsApp customer: the chat on their phone is one thread."""
    return f"wa-{wa_id}"


def answer_challenge(params: dict[str, str], verify_token: str) -> str | None:
    """The `hub.challenge` to echo back, or None when the handshake is not ours."""
    if not verify_token or params.get("hub.mode") != "subscribe":
        return None
    if not same_secret(params.get("hub.verify_token", ""), verify_token):
        return None
    challenge = params.get("hub.challenge", "")
    return challenge or None


def signature_for(app_secret: str, body: bytes) -> str:
    """The `X-Hub-Signature-256` value Meta sends for `body` (also used by the tests)."""
    return "sha256=" + hmac_sha256_hex(app_secret, body)


class WhatsAppInbound:
    """Verifies and parses Cloud API webhooks (the InboundChannel port)."""

    channel = CHANNEL

    def __init__(self, settings: WhatsAppSettings) -> None:
        self.settings = settings

    def challenge(self, params: dict[str, str]) -> str | None:
        """Meta's subscription handshake: the `hub.challenge` to echo, or None."""
        return answer_challenge(params, self.settings.verify_token)

    def verify(self, headers: dict[str, str], body: bytes) -> None:
        if not self.settings.app_secret:
            raise WebhookRejected("WARMLINE_WHATSAPP_APP_SECRET is not set; refusing "
                                  "unsigned WhatsApp webhooks")
        given = lower_keys(headers).get("x-hub-signature-256", "")
        if not given.startswith("sha256="):
            raise WebhookRejected("missing X-Hub-Signature-256")
        if not same_secret(given, signature_for(self.settings.app_secret, body)):
            raise WebhookRejected("X-Hub-Signature-256 does not match the body")

    def parse(self, body: bytes) -> list[InboundEvent]:
        payload = _json_object(body)
        if payload.get("object") != "whatsapp_business_account":
            raise MalformedPayload("object: expected 'whatsapp_business_account'")
        events: list[InboundEvent] = []
        for entry in _list(payload, "entry"):
            for change in _list(_dict(entry, "entry[]"), "changes"):
                change = _dict(change, "changes[]")
                if change.get("field") != "messages":
                    continue  # account, template and other fields are not conversations
                value = _dict(change.get("value"), "value")
                if not self._ours(value):
                    continue
                events += self._value_events(value)
        return events

    def _ours(self, value: dict[str, Any]) -> bool:
        number = _str(_dict(value.get("metadata"), "metadata"), "phone_number_id")
        return not self.settings.phone_number_id or number == self.settings.phone_number_id

    def _value_events(self, value: dict[str, Any]) -> list[InboundEvent]:
        names = {}
        for contact in value.get("contacts") or []:
            if isinstance(contact, dict) and isinstance(contact.get("profile"), dict):
                names[str(contact.get("wa_id"))] = contact["profile"].get("name")
        events: list[InboundEvent] = []
        for message in value.get("messages") or []:
            events.append(_message_event(_dict(message, "messages[]"), names))
        for status in value.get("statuses") or []:
            events.append(_status_event(_dict(status, "statuses[]")))
        return events


def _message_event(m: dict[str, Any], names: dict[str, Any]) -> InboundEvent:
    wamid, wa_id, kind = _str(m, "id"), _str(m, "from"), _str(m, "type")
    name = names.get(wa_id)
    common: dict[str, Any] = dict(
        channel=CHANNEL, message_id=wamid, conversation_id=conversation_id_for(wa_id),
        contact_id=wa_id, sent_at=epoch_to_datetime(m.get("timestamp")),
        contact_name=name if isinstance(name, str) else None)
    context = m.get("context")
    replied_to = context.get("id") if isinstance(context, dict) else None
    if kind == "text":
        return CustomerText(**common, text=_str(_dict(m.get("text"), "text"), "body"))
    if kind == "interactive":
        interactive = _dict(m.get("interactive"), "interactive")
        reply_kind = _str(interactive, "type")
        if reply_kind in ("button_reply", "list_reply"):
            reply = _dict(interactive.get(reply_kind), reply_kind)
            return ButtonTap(**common, button_id=_str(reply, "id"), title=_str(reply, "title"),
                             in_reply_to=replied_to)
        return Unsupported(**common, kind=f"interactive:{reply_kind}")
    if kind == "button":  # a quick-reply button of a template message
        button = _dict(m.get("button"), "button")
        return ButtonTap(**common, button_id=_str(button, "payload"), title=_str(button, "text"),
                         in_reply_to=replied_to)
    if kind in MEDIA_KINDS:
        media = _dict(m.get(kind), kind)
        return MediaReceived(**common, kind=kind, media_id=_str(media, "id"),
                             mime_type=_opt(media, "mime_type"), caption=_opt(media, "caption"),
                             filename=_opt(media, "filename"))
    return Unsupported(**common, kind=kind)  # reaction, location, contacts, unknown, ...


def _status_event(s: dict[str, Any]) -> DeliveryStatus:
    wa_id = _str(s, "recipient_id")
    errors = s.get("errors")
    first = errors[0] if isinstance(errors, list) and errors and isinstance(errors[0], dict) \
        else {}
    code = first.get("code")
    return DeliveryStatus(
        channel=CHANNEL, message_id=_str(s, "id"), conversation_id=conversation_id_for(wa_id),
        contact_id=wa_id, sent_at=epoch_to_datetime(s.get("timestamp")),
        status=_str(s, "status"), error_code=code if isinstance(code, int) else None,
        error_title=_opt(first, "title"), outbound_key=_opt(s, "biz_opaque_callback_data"))


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedPayload(f"body is not JSON: {exc}") from exc
    return _dict(payload, "body")


def _dict(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise MalformedPayload(f"{where}: expected an object")
    return value


def _list(obj: dict[str, Any], key: str) -> list[Any]:
    value = obj.get(key)
    if not isinstance(value, list):
        raise MalformedPayload(f"{key}: expected a list")
    return value


def _str(obj: dict[str, Any], key: str) -> str:
    value = obj.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value:
        raise MalformedPayload(f"{key}: expected a non-empty string")
    return value


def _opt(obj: dict[str, Any], key: str) -> str | None:
    value = obj.get(key)
    return value if isinstance(value, str) and value else None
