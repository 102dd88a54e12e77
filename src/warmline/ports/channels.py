"""Channels: the customer's side of the seam (docs/channels.md), the outbox of what is owed
to customers, and the web chat's feed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from warmline.domain.seam.channels import Address, Button, FeedItem, InboundEvent, Template


class OutboundChannel(Protocol):
    """Sends to the customer on one channel (WhatsApp, Chatwoot, web chat).

    Every send carries an idempotency `key`: a key already sent returns the first message
    id without sending again, so a retried command never messages the customer twice.
    Returns the channel's id of the message. Raises `PermanentSendError` (with
    `WindowClosedError` when a template is needed), `RetryableSendError` once the
    adapter's own retries ran out, or `DeliveryUncertainError` when the outcome is unknown
    (warmline.domain.seam.channels).
    """

    @property
    def channel(self) -> str: ...

    def send_text(self, to: Address, text: str, *, key: str) -> str: ...

    def send_buttons(self, to: Address, text: str, buttons: Sequence[Button], *,
                     key: str) -> str:
        """Quick-reply buttons (WhatsApp: at most 3, titles of at most 20 characters)."""
        ...

    def send_template(self, to: Address, template: Template, *, key: str) -> str:
        """A pre-approved template: the only message allowed outside a channel's window."""
        ...


class InboundChannel(Protocol):
    """Turns a platform's webhook into inbound events, after checking it is authentic."""

    @property
    def channel(self) -> str: ...

    def verify(self, headers: dict[str, str], body: bytes) -> None:
        """Raise `WebhookRejected` unless the raw request is authentic (headers lower-case)."""
        ...

    def parse(self, body: bytes) -> list[InboundEvent]:
        """The events of a verified body; raise `MalformedPayload` if it is not the shape."""
        ...


class SubscribedInbound(InboundChannel, Protocol):
    """A channel whose webhook subscription starts with a handshake (Meta's WhatsApp)."""

    def challenge(self, params: dict[str, str]) -> str | None:
        """The challenge to echo back for a genuine subscription request, else None."""
        ...


class TokenInbound(Protocol):
    """A channel whose webhooks may prove themselves with a URL token instead of a
    signature (Chatwoot versions that do not sign bot webhooks)."""

    @property
    def channel(self) -> str: ...

    def verify(self, headers: dict[str, str], body: bytes,
               url_token: str | None = None) -> None: ...

    def parse(self, body: bytes) -> list[InboundEvent]: ...


class Helpdesk(Protocol):
    """A helpdesk where humans take over the same thread (Chatwoot as an Agent Bot)."""

    def post_note(self, conversation_id: str, text: str, *, key: str) -> str:
        """A private note only the humans see (the context package)."""
        ...

    def hand_off(self, conversation_id: str, team_id: int | None) -> None:
        """Give the thread to the humans: open it and assign the routed team."""
        ...

    def take_back(self, conversation_id: str) -> None:
        """Return the thread to the bot (pending) after the human resolved it."""
        ...


class SentLog(Protocol):
    """What was already sent, by idempotency key (outbound key -> channel message id)."""

    def get(self, key: str) -> str | None: ...

    def put(self, key: str, message_id: str) -> None: ...


@dataclass(frozen=True)
class OutboxEntry:
    """One message owed to a customer and how its delivery stands.

    `state`: pending (not tried yet or to retry at `next_attempt_at`), sending (claimed by
    one sender until `next_attempt_at`), sent, uncertain (tried, outcome unknown — a send
    interrupted mid-way included: never resent blindly), failed (given up: a permanent
    refusal or retries ran out).
    """

    key: str
    conversation_id: str
    channel: str
    kind: str
    state: str = "pending"
    attempts: int = 0
    provider_message_id: str | None = None
    last_error: str | None = None
    next_attempt_at: datetime | None = None


class Outbox(SentLog, Protocol):
    """The durable sent log and retry queue of outbound messages (also a SentLog)."""

    def begin(self, entry: OutboxEntry, now: datetime) -> OutboxEntry:
        """Insert the entry unless its key exists; return the stored one."""
        ...

    def claim(self, key: str, now: datetime, until: datetime) -> OutboxEntry | None:
        """Take a pending entry whose attempt is due for one sender (state `sending`
        until `until`); None when it is not pending and due, or another sender has it."""
        ...

    def update(self, entry: OutboxEntry, now: datetime) -> None: ...

    def expire(self, now: datetime) -> list[OutboxEntry]:
        """Entries whose sender's claim ran out mid-send become `uncertain` (the sender
        died: whether the platform got the message is unknown); returns them."""
        ...

    def due(self, now: datetime, limit: int = 100) -> list[OutboxEntry]:
        """Pending entries whose next attempt is due, oldest first."""
        ...

    def for_conversation(self, conversation_id: str) -> list[OutboxEntry]: ...


class WebchatFeed(Protocol):
    """The web chat's threads as the widget reads them: numbered items per session.

    Memory (tests, one process) and SQL (the `webchat_feed` table: every `warmline serve`
    worker reads and writes the same feed). `seq` is 1, 2, 3… per session, never reused;
    a reader that saw item n asks for what came after n.
    """

    def open(self, session_id: str) -> None:
        """Make the session exist (idempotent)."""
        ...

    def exists(self, session_id: str) -> bool: ...

    def append(self, session_id: str, role: str, text: str, *, item_id: str | None = None,
               buttons: Sequence[Button] = (), author: str | None = None) -> FeedItem:
        """Add a line after every line already there, committed when this returns."""
        ...

    def since(self, session_id: str, after: int = 0) -> list[FeedItem]:
        """The items with seq > after, in order."""
        ...


class WebchatSessions(Protocol):
    """Issues and checks the web chat's session tokens (one per visitor's thread)."""

    def new(self) -> tuple[str, str]:
        """A new (session id, token)."""
        ...

    def token_for(self, session_id: str) -> str: ...

    def valid(self, session_id: str, token: str | None) -> bool: ...
