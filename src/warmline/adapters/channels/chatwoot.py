"""Chatwoot as an Agent Bot, inbound: which webhooks are authentic and what they say.

Chatwoot posts the bot's events to its `outgoing_url` (chatwoot/chatwoot
app/listeners/agent_bot_listener.rb): `message_created` and `message_updated` carry
`Message#webhook_data` plus `event` (id, content, message_type, content_type,
content_attributes, private, sender, inbox, conversation, account); `conversation_opened`
and `conversation_resolved` carry the conversation's webhook data.

Loops: Chatwoot sends the bot *every* message of its inboxes, including the bot's own
replies and the agents' private notes (`webhook_sendable?` is incoming, outgoing or
template; it does not look at `private`). Only incoming, non-private messages are the
customer; everything else is ignored here, or Warmline would answer itself.

Authenticity: Chatwoot signs webhooks only since per-webhook secrets (account webhooks:
PR #13573; agent bots and API inboxes: PR #13892, 2026): `X-Chatwoot-Signature:
sha256=<hex>` is HMAC-SHA256 of `"{X-Chatwoot-Timestamp}.{raw body}"` with the bot's
secret, and `X-Chatwoot-Delivery` names the delivery. The timestamp is inside the signed
string, so a replay older than `MAX_SKEW` is refused. Older Chatwoot sends no signature at
all; for those, put a random token in the bot's outgoing URL (`?token=...`) and set
WARMLINE_CHATWOOT_WEBHOOK_TOKEN. Chatwoot does not sign its API answers, and the body's
`account.id` is only trusted after the signature (or token) checked out.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
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
    InboundEvent,
    MalformedPayload,
    MediaReceived,
    ThreadStatusChanged,
    Unsupported,
    WebhookRejected,
)

CHANNEL = "chatwoot"
MAX_SKEW = 300  # seconds a signed delivery stays valid (the window PR #13573 recommends)


@dataclass(frozen=True)
class ChatwootSettings:
    """Secrets are kept out of repr so they never reach a log line."""

    url: str = ""
    account_id: str = ""
    bot_token: str = field(default="", repr=False)
    api_token: str = field(default="", repr=False)
    webhook_secret: str = field(default="", repr=False)
    webhook_token: str = field(default="", repr=False)

    @classmethod
    def from_config(cls, config: Config) -> ChatwootSettings:
        return cls(url=config.chatwoot_url, account_id=config.chatwoot_account_id,
                   bot_token=config.chatwoot_bot_token, api_token=config.chatwoot_api_token,
                   webhook_secret=config.chatwoot_webhook_secret,
                   webhook_token=config.chatwoot_webhook_token)


def conversation_id_for(account_id: int | str, display_id: int | str) -> str:
    """Warmline's thread for a Chatwoot conversation (ids are per account)."""
    return f"cw-{account_id}-{display_id}"


def display_id_of(conversation_id: str) -> int:
    """The Chatwoot conversation id (`display_id`, used in API paths) of a Warmline thread."""
    prefix, _, rest = conversation_id.partition("-")
    _, _, display = rest.partition("-")
    if prefix != "cw" or not display.isdigit():
        raise ValueError(f"{conversation_id!r} is not a Chatwoot thread")
    return int(display)


def signature_for(secret: str, timestamp: str, body: bytes) -> str:
    """The `X-Chatwoot-Signature` Chatwoot sends (lib/webhooks/trigger.rb)."""
    return "sha256=" + hmac_sha256_hex(secret, timestamp.encode() + b"." + body)


def _utcnow() -> datetime:
    return datetime.now(UTC)


class ChatwootInbound:
    """Verifies and parses Agent Bot webhooks (the InboundChannel port)."""

    channel = CHANNEL

    def __init__(self, settings: ChatwootSettings,
                 now: Callable[[], datetime] = _utcnow) -> None:
        self.settings = settings
        self.now = now

    def verify(self, headers: dict[str, str], body: bytes, url_token: str | None = None
               ) -> None:
        """A signature when a secret is set; else the outgoing URL's `?token=`."""
        if self.settings.webhook_secret:
            self._verify_signature(lower_keys(headers), body)
        elif self.settings.webhook_token:
            if not url_token or not same_secret(url_token, self.settings.webhook_token):
                raise WebhookRejected("the webhook URL's token is missing or wrong")
        else:
            raise WebhookRejected("neither WARMLINE_CHATWOOT_WEBHOOK_SECRET nor "
                                  "WARMLINE_CHATWOOT_WEBHOOK_TOKEN is set; refusing")

    def _verify_signature(self, headers: dict[str, str], body: bytes) -> None:
        given = headers.get("x-chatwoot-signature", "")
        stamp = headers.get("x-chatwoot-timestamp", "")
        if not given or not stamp.isdigit():
            raise WebhookRejected("missing X-Chatwoot-Signature or X-Chatwoot-Timestamp")
        if abs(self.now().timestamp() - int(stamp)) > MAX_SKEW:
            raise WebhookRejected("X-Chatwoot-Timestamp is too far from now (a replay?)")
        if not same_secret(given, signature_for(self.settings.webhook_secret, stamp, body)):
            raise WebhookRejected("X-Chatwoot-Signature does not match the body")

    def parse(self, body: bytes) -> list[InboundEvent]:
        try:
            payload = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise MalformedPayload(f"body is not JSON: {exc}") from exc
        if not isinstance(payload, dict) or not isinstance(payload.get("event"), str):
            raise MalformedPayload("event: expected a string")
        event = payload["event"]
        if event == "message_created":
            return _message_created(payload)
        if event == "message_updated":
            return _message_updated(payload)
        if event in ("conversation_resolved", "conversation_opened",
                     "conversation_status_changed"):
            return [_status_changed(payload, self.settings.account_id)]
        return []  # webwidget_triggered, typing, ...: nothing for the thread


def _message_created(p: dict[str, Any]) -> list[InboundEvent]:
    common = _common(p, _int(p, "id"))
    if p.get("message_type") != "incoming" or p.get("private") is True:
        return []  # the bot's own replies, agents' messages and private notes: no loops
    sender = p.get("sender")
    if isinstance(sender, dict) and sender.get("type") not in (None, "contact"):
        return []
    content = p.get("content")
    attachments = [a for a in p.get("attachments") or [] if isinstance(a, dict)]
    if attachments:
        first = attachments[0]
        return [MediaReceived(**common, kind=str(first.get("file_type") or "file"),
                              media_id=str(first.get("id") or first.get("data_url") or ""),
                              mime_type=None, caption=content if _text(content) else None,
                              filename=None)]
    if isinstance(content, str) and _text(content):
        return [CustomerText(**common, text=content)]
    return [Unsupported(**common, kind=str(p.get("content_type") or "empty"))]


def _message_updated(p: dict[str, Any]) -> list[InboundEvent]:
    """A choice tapped on the bot's `input_select` message (the web widget stores it as
    `content_attributes.submitted_values`); other updates are edits and receipts."""
    attributes = p.get("content_attributes")
    values = attributes.get("submitted_values") if isinstance(attributes, dict) else None
    if p.get("content_type") != "input_select" or not isinstance(values, list) or not values:
        return []
    choice = values[0] if isinstance(values[0], dict) else {}
    value, title = choice.get("value"), choice.get("title")
    if not isinstance(value, str) or not value:
        raise MalformedPayload("content_attributes.submitted_values[0].value: expected a string")
    message_id = _int(p, "id")
    common = _common(p, message_id)
    common["message_id"] = f"{message_id}:submitted"  # the update, not the bot's message
    return [ButtonTap(**common, button_id=value,
                      title=title if isinstance(title, str) and title else value,
                      in_reply_to=str(message_id))]


def _status_changed(p: dict[str, Any], default_account: str) -> ThreadStatusChanged:
    """Conversation events carry no `account` object; messages[].account_id or the
    configured account names it."""
    display_id = _int(p, "id")
    messages = p.get("messages")
    first = messages[0] if isinstance(messages, list) and messages else None
    if isinstance(p.get("account"), dict):
        account: int | str = _account_id(p)
    elif isinstance(first, dict) and isinstance(first.get("account_id"), int):
        account = first["account_id"]
    elif default_account:
        account = default_account
    else:
        raise MalformedPayload("account: not in the payload and none configured")
    meta = p.get("meta") if isinstance(p.get("meta"), dict) else {}
    sender = meta.get("sender") if isinstance(meta, dict) else None
    contact = str(sender.get("id")) if isinstance(sender, dict) and "id" in sender else ""
    status = p.get("status")
    if not isinstance(status, str):
        raise MalformedPayload("status: expected a string")
    stamp = p.get("timestamp")
    return ThreadStatusChanged(
        channel=CHANNEL, message_id=f"conversation:{display_id}:{p['event']}:{stamp}",
        conversation_id=conversation_id_for(account, display_id), contact_id=contact,
        sent_at=epoch_to_datetime(stamp), status=status)


def _common(p: dict[str, Any], message_id: int) -> dict[str, Any]:
    conversation = p.get("conversation")
    if not isinstance(conversation, dict):
        raise MalformedPayload("conversation: expected an object")
    display_id = _int(conversation, "id")
    sender = p.get("sender") if isinstance(p.get("sender"), dict) else {}
    meta = conversation.get("meta")
    if not sender and isinstance(meta, dict) and isinstance(meta.get("sender"), dict):
        sender = meta["sender"]
    name = sender.get("name") if isinstance(sender, dict) else None
    contact = sender.get("id") if isinstance(sender, dict) else None
    return dict(channel=CHANNEL, message_id=str(message_id),
                conversation_id=conversation_id_for(_account_id(p), display_id),
                contact_id=str(contact) if contact is not None else "",
                sent_at=_when(p.get("created_at")),
                contact_name=name if isinstance(name, str) else None)


def _account_id(p: dict[str, Any]) -> int:
    account = p.get("account")
    if not isinstance(account, dict):
        raise MalformedPayload("account: expected an object")
    return _int(account, "id")


def _int(obj: dict[str, Any], key: str) -> int:
    value = obj.get(key)
    if isinstance(value, str) and value.isdigit():
        return int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise MalformedPayload(f"{key}: expected an integer id")
    return value


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _when(value: Any) -> datetime | None:
    """`created_at` is ISO 8601 in webhook_data (epoch seconds in push data)."""
    if isinstance(value, str) and not value.isdigit():
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace(" UTC", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return epoch_to_datetime(value)
