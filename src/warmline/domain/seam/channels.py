"""What crosses a channel edge, as plain values: inbound events and outbound addresses.

Every channel adapter (WhatsApp, Chatwoot, web chat) parses its own wire format into these
values and sends from them, so the service layer never sees a platform's payload. Inbound
events carry the channel's own message id: it is the idempotency key of the command the
event becomes, so a webhook the platform delivers twice is stored once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

# The id of the one-tap "Talk to a person" button on every channel. A tap on it becomes
# `RequestHandoff(source="button")`; other button ids (CSAT answers...) are the caller's.
HANDOFF_BUTTON_ID = "warmline:human"
HANDOFF_BUTTON_TITLE = "Talk to a person"

# WhatsApp lets a business send free-form messages only within 24 hours of the customer's
# last message (the customer-service window); outside it only a template may be sent.
SERVICE_WINDOW = timedelta(hours=24)


@dataclass(frozen=True, kw_only=True)
class Inbound:
    """Common to every inbound event: which channel, which message, who, which thread.

    `conversation_id` is Warmline's id for the thread (one per customer and channel
    thread, stable across messages, so the customer stays on the same thread);
    `contact_id` is the channel's id of the customer (a WhatsApp `wa_id`, a Chatwoot
    contact id, a web chat session id).
    """

    channel: str
    message_id: str
    conversation_id: str
    contact_id: str
    sent_at: datetime | None = None
    contact_name: str | None = None


@dataclass(frozen=True, kw_only=True)
class CustomerText(Inbound):
    text: str


@dataclass(frozen=True, kw_only=True)
class ButtonTap(Inbound):
    """The customer tapped a reply button (one-tap to a human, a CSAT answer...)."""

    button_id: str
    title: str
    in_reply_to: str | None = None  # the channel id of the message that carried the button

    @property
    def wants_human(self) -> bool:
        return self.button_id == HANDOFF_BUTTON_ID


@dataclass(frozen=True, kw_only=True)
class MediaReceived(Inbound):
    """A photo, document, voice note... The media stays with the platform; `media_id`
    fetches it (WhatsApp: GET /{media-id} with the access token)."""

    kind: str  # image, document, audio, video, sticker
    media_id: str
    mime_type: str | None = None
    caption: str | None = None
    filename: str | None = None

    def as_text(self) -> str:
        """How the message reads in the transcript until attachments are first-class."""
        label = f"[{self.kind}{': ' + self.filename if self.filename else ''}]"
        return f"{label} {self.caption}" if self.caption else label


@dataclass(frozen=True, kw_only=True)
class DeliveryStatus(Inbound):
    """A receipt for something Warmline sent: sent, delivered, read or failed.

    `message_id` is the id of the outbound message; `outbound_key` is the idempotency key
    Warmline attached when sending (WhatsApp echoes it as `biz_opaque_callback_data`).
    """

    status: str
    error_code: int | None = None
    error_title: str | None = None
    outbound_key: str | None = None

    @property
    def window_closed(self) -> bool:
        """The send failed because the 24-hour window had closed: resend as a template."""
        return self.error_code == 131047


@dataclass(frozen=True, kw_only=True)
class Unsupported(Inbound):
    """A message Warmline does not act on (a reaction, a location, an unknown type)."""

    kind: str


@dataclass(frozen=True, kw_only=True)
class ThreadStatusChanged(Inbound):
    """A helpdesk moved the thread (Chatwoot: `resolved` by a human, `open`, `pending`).

    `resolved` is where the bot may take the thread back and ask the CSAT question.
    """

    status: str


InboundEvent = (CustomerText | ButtonTap | MediaReceived | DeliveryStatus | Unsupported
                | ThreadStatusChanged)


@dataclass(frozen=True)
class Address:
    """Where an outbound message goes on a channel.

    `contact_id` is what the channel addresses: a WhatsApp `wa_id`, a Chatwoot conversation
    id, a web chat session id. `last_inbound_at` (the customer's last message) lets a
    windowed channel decide between a free-form message and a template.
    """

    channel: str
    contact_id: str
    last_inbound_at: datetime | None = None

    def window_open(self, now: datetime) -> bool:
        return self.last_inbound_at is not None and now - self.last_inbound_at < SERVICE_WINDOW


@dataclass(frozen=True)
class Button:
    """A reply button: `id` comes back in the tap event, `title` is what the customer sees."""

    id: str
    title: str


@dataclass(frozen=True)
class Template:
    """A pre-approved message template (WhatsApp), with its body parameters in order.

    `parameter_names` (same length as `parameters`) names them for a template created with
    named variables; `quick_replies` are the payloads of its quick-reply buttons, in order.
    """

    name: str
    language: str = "en"
    parameters: tuple[str, ...] = ()
    parameter_names: tuple[str, ...] = ()
    quick_replies: tuple[str, ...] = ()


@dataclass(frozen=True)
class FeedItem:
    """One line of a web chat thread as the widget shows it, numbered per session."""

    seq: int
    id: str
    role: str  # customer | brand | system
    text: str
    at: datetime
    buttons: tuple[Button, ...] = ()
    author: str | None = None  # a human's display name when the brand speaks as a person

    def to_public(self) -> dict[str, Any]:
        return {"seq": self.seq, "id": self.id, "role": self.role, "text": self.text,
                "at": self.at.isoformat(), "author": self.author,
                "buttons": [{"id": b.id, "title": b.title} for b in self.buttons]}


class OutboundError(Exception):
    """A send failed. `code` is the platform's error code when it gave one."""

    def __init__(self, message: str, *, code: int | None = None, status: int | None = None,
                 attempts: int = 1) -> None:
        super().__init__(message)
        self.code = code
        self.status = status
        self.attempts = attempts


class PermanentSendError(OutboundError):
    """The platform refused the message; sending it again will fail the same way."""


class WindowClosedError(PermanentSendError):
    """Free-form messages are refused outside the 24-hour window: send a template."""


class RetryableSendError(OutboundError):
    """The platform did not take the message (rate limit, outage); it is safe to try later.

    Raised after the adapter's own retries ran out.
    """


class DeliveryUncertainError(OutboundError):
    """The request may or may not have been acted on (a timeout after sending, a 5xx with
    no error body). It is not resent automatically, so the customer never gets it twice;
    a later status receipt carrying the outbound key settles it."""


class WebhookRejected(Exception):
    """A webhook failed authentication (bad or missing signature, stale timestamp)."""


class MalformedPayload(Exception):
    """A verified webhook is not in the platform's shape; nothing of it is stored."""


def address_of(channel: str, conversation_id: str,
               last_inbound_at: datetime | None = None) -> Address | None:
    """Where a thread's messages go, from Warmline's thread id (wa-…, cw-…, web-…).

    WhatsApp addresses the customer's wa_id, Chatwoot its conversation (display) id, the
    web chat its session id. None for a thread no channel owns (the plain API).
    """
    prefix, _, rest = conversation_id.partition("-")
    if channel == "whatsapp" and prefix == "wa" and rest:
        return Address(channel, rest, last_inbound_at)
    if channel == "chatwoot" and prefix == "cw" and rest.count("-") == 1:
        return Address(channel, rest.split("-")[1], last_inbound_at)
    if channel == "webchat" and prefix == "web" and rest:
        return Address(channel, rest, last_inbound_at)
    return None


WEBCHAT = "webchat"  # Warmline's own channel: the widget on the brand's site


def webchat_conversation_id(session_id: str) -> str:
    """The conversation of a web chat session."""
    return f"web-{session_id}"
