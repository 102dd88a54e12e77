"""Protocols for every adapter. The service layer depends on these, never on adapters."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any, Protocol

from warmline.domain.access import ApiToken, User, WebSession
from warmline.domain.events import Event
from warmline.domain.judge.signals import Signals
from warmline.domain.measure.policy_lifecycle import PolicyActivated
from warmline.domain.model import Conversation
from warmline.domain.record.commerce import CustomerRecord, RecordBatch
from warmline.domain.record.facts import CustomerFacts
from warmline.domain.routing.queueing import Handoff, HumanAgent
from warmline.domain.seam.channels import Address, Button, FeedItem, InboundEvent, Template

__all__ = ["Agent", "AgentDraft", "Clock", "CommerceRecord", "ConcurrencyError",
           "ConversationRepository", "InboundKey", "LanguageModel", "RecordStore",
           "RecordUnavailable", "SentenceEmbedder", "Signals", "UnitOfWork"]


class ConcurrencyError(Exception):
    """Another writer appended to the same conversation first; retry the command."""


@dataclass(frozen=True)
class InboundKey:
    """Where an inbound message (channel, external id) was stored."""

    conversation_id: str
    turn: int


class ConversationRepository(Protocol):
    def load(self, conversation_id: str) -> list[Event]:
        """Every event of the conversation, in order (empty if unknown)."""
        ...

    def append(self, conversation_id: str, events: Sequence[Event],
               expected_version: int) -> None:
        """Append after `expected_version` events, or raise ConcurrencyError."""
        ...

    def inbound(self, channel: str, message_id: str) -> InboundKey | None:
        ...

    def remember_inbound(self, channel: str, message_id: str, key: InboundKey) -> None:
        ...

    def list_ids(self, limit: int = 100, offset: int = 0) -> list[str]:
        ...

    def ids_for_customer(self, customer_ref: str, limit: int = 20) -> list[str]:
        """The customer's conversations, most recently updated first."""
        ...


class UnitOfWork(Protocol):
    """One transaction: handlers write through it and commit once."""

    @property
    def conversations(self) -> ConversationRepository: ...

    @property
    def handoffs(self) -> HandoffRepository: ...

    @property
    def agents(self) -> AgentRepository: ...

    def __enter__(self) -> UnitOfWork: ...

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...


class RecordUnavailable(Exception):
    """The commerce record could not be read (e.g. the live API is down or too slow)."""


class CommerceRecord(Protocol):
    """The brand's commerce record, read live: by the triggers, the agent and the humans.

    Implementations: the record in Warmline's database (SQL), a JSON file, a live HTTP
    commerce API, and an in-memory twin. They raise `RecordUnavailable` when they cannot
    answer; an unknown customer is `None`, not an error.
    """

    def customer_facts(self, customer_ref: str) -> CustomerFacts | None: ...

    def customer_record(self, customer_ref: str) -> CustomerRecord | None: ...

    def find_customer(self, channel: str, contact_id: str) -> str | None:
        """The customer ref behind a contact id on a channel (a WhatsApp number...)."""
        ...


class RecordStore(Protocol):
    """The writable record in Warmline's database; importers write through it."""

    def existing(self, kind: str, ids: Sequence[str]) -> set[str]:
        """Which of `ids` are already stored (kind: customers, orders, products...)."""
        ...

    def write(self, batch: RecordBatch) -> dict[str, int]:
        """Upsert everything in one transaction; rows written per kind."""
        ...


@dataclass(frozen=True)
class AgentDraft:
    """A reply an agent wrote, with what it reports about itself."""

    text: str
    confidence: float
    intent: str
    actions: tuple[str, ...] = ()


class Agent(Protocol):
    """An AI agent Warmline runs itself (the reference agent, or one on an LLM)."""

    def reply(self, conv: Conversation, record: CustomerRecord | None,
              now: datetime) -> AgentDraft:
        """The reply to the conversation's last customer turn."""
        ...


class LanguageModel(Protocol):
    """A chat-completion model (any OpenAI-compatible endpoint)."""

    def complete(self, messages: Sequence[dict[str, str]]) -> str:
        """The model's answer; raises on timeouts and errors (callers fall back)."""
        ...


class Clock(Protocol):
    def now(self) -> datetime: ...


class SentenceEmbedder(Protocol):
    """An embedded sentence model: texts -> L2-normalised vectors (n, dimension)."""

    @property
    def dimension(self) -> int: ...

    def embed(self, texts: Sequence[str]) -> Any: ...


# --- routing: the handoff queue, the people, live updates (docs/routing.md) ---------


@dataclass(frozen=True)
class QueueCounts:
    """What is in one queue right now (counted by the repository)."""

    waiting: int = 0  # claimable now (queued, or a lease that ran out)
    deferred: int = 0  # waiting for an opening
    offered: int = 0  # leased to a person, not yet confirmed
    assigned: int = 0  # with a person
    alerted: int = 0  # flagged as waiting too long
    oldest_waiting_since: datetime | None = None


@dataclass(frozen=True)
class Notice:
    """A live update about a handoff, for consoles (never the source of truth)."""

    kind: str  # routed, offered, claimed, accepted, released, transferred, escalated, ...
    handoff_id: str
    queue: str
    state: str
    agent_id: str | None = None


class HandoffRepository(Protocol):
    """The handoff queue. Claims are exclusive: two claimers never get the same handoff."""

    def add(self, handoff: Handoff, next_due: datetime | None, kind: str) -> None: ...

    def save(self, handoff: Handoff, next_due: datetime | None, kind: str) -> None:
        """Store the handoff's new state; `kind` names what happened (for notices)."""
        ...

    def get(self, handoff_id: str, lock: bool = False,
            skip_locked: bool = False) -> Handoff | None:
        """With `lock`, the row is held until the unit of work ends (waiting for another
        holder); with `skip_locked` too, a row someone else holds reads as None."""
        ...

    def open_for(self, conversation_id: str, lock: bool = False) -> Handoff | None: ...

    def claim_next(self, agent_id: str, queues: Sequence[str], languages: Sequence[str],
                   now: datetime, lease_until: datetime) -> Handoff | None:
        """Lease the first claimable handoff of `queues` (priority, then first come)
        whose language the agent speaks; None when there is none. Never blocks on rows
        other claimers hold (SKIP LOCKED). The sweeper looks at it again when the lease
        runs out (`due`)."""
        ...

    def due(self, now: datetime, limit: int) -> list[Handoff]:
        """Open handoffs whose next cascade step, alert or closing time has come (locked,
        skipping rows others hold, so several sweepers share the work)."""
        ...

    def stranded(self, queues: Sequence[str], limit: int) -> list[Handoff]:
        """Waiting handoffs in queues the policy no longer has (locked, skipping rows
        others hold): renaming a queue must not leave anyone waiting unseen."""
        ...

    def loads(self, now: datetime, agent_id: str | None = None) -> dict[str, int]:
        """Agent id -> handoffs occupying them (accepted, or leased and not expired);
        only that agent's with `agent_id`."""
        ...

    def counts(self, now: datetime) -> dict[str, QueueCounts]: ...

    def ahead(self, handoff: Handoff, queues: Sequence[str], now: datetime) -> dict[str, int]:
        """Per queue, the waiting handoffs a person would take before `handoff`."""
        ...

    def waiting(self, queue: str | None, now: datetime, limit: int) -> list[Handoff]:
        """Open handoffs in claim order (all queues when `queue` is None)."""
        ...

    def held(self, agent_id: str, now: datetime) -> list[Handoff]:
        """What the agent holds now: accepted, or leased to them and not expired (the
        console's "yours" list), first come first."""
        ...

    def handle_seconds(self, queue: str, limit: int) -> list[float]:
        """Accepted → resolved durations of the queue's most recent handoffs."""
        ...


class AgentRepository(Protocol):
    """The people who take handoffs (human agents)."""

    def get(self, agent_id: str, lock: bool = False) -> HumanAgent | None: ...

    def save(self, agent: HumanAgent) -> None: ...

    def all(self) -> list[HumanAgent]: ...


class Subscription(Protocol):
    def get(self, timeout: float) -> Notice | None:
        """The next notice, waiting up to `timeout` seconds; None if none came."""
        ...

    def close(self) -> None: ...


class Notifier(Protocol):
    """Live updates after commit: LISTEN/NOTIFY on PostgreSQL, in-process elsewhere.

    The unit of work hands over the notices its repositories collected: `before_commit`
    inside the transaction (PostgreSQL's NOTIFY is delivered on commit and dropped on
    rollback), `after_commit` once it is durable (the in-process twin delivers then).
    """

    def before_commit(self, connection: Any, notices: Sequence[Notice]) -> None: ...

    def after_commit(self, notices: Sequence[Notice]) -> None: ...

    def subscribe(self) -> Subscription: ...


__all__ += ["AgentRepository", "HandoffRepository", "Notice", "Notifier", "QueueCounts",
            "Subscription"]


# --- channels: the customer's side of the seam (docs/channels.md) -------------------


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


__all__ += ["Helpdesk", "InboundChannel", "OutboundChannel", "SentLog"]


class PolicyLog(Protocol):
    """Where policy activations are recorded (append-only)."""

    def append(self, event: PolicyActivated) -> None: ...

    def history(self) -> list[PolicyActivated]:
        """Every activation, oldest first."""
        ...


@dataclass(frozen=True)
class OutboxEntry:
    """One message owed to a customer and how its delivery stands.

    `state`: pending (not tried yet or to retry at `next_attempt_at`), sent, uncertain
    (tried, outcome unknown: never resent blindly), failed (given up: a permanent refusal
    or retries ran out).
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

    def update(self, entry: OutboxEntry, now: datetime) -> None: ...

    def due(self, now: datetime, limit: int = 100) -> list[OutboxEntry]:
        """Pending entries whose next attempt is due, oldest first."""
        ...

    def for_conversation(self, conversation_id: str) -> list[OutboxEntry]: ...


__all__ += ["Outbox", "OutboxEntry"]


class AccessStore(Protocol):
    """People, machines' tokens and browser sessions (hashes only, never secrets).

    Not part of the unit of work: access changes are not conversation events and are
    written by the access service (service/access.py), each call its own transaction.
    """

    def user(self, name: str) -> User | None: ...

    def users(self) -> list[User]: ...

    def save_user(self, user: User) -> None:
        """Insert or replace by name."""
        ...

    def token_by_hash(self, token_hash: str) -> ApiToken | None: ...

    def tokens(self) -> list[ApiToken]: ...

    def add_token(self, token: ApiToken) -> None: ...

    def revoke_token(self, token_id: str) -> bool:
        """Mark the token revoked; False when no such token."""
        ...

    def session(self, token_hash: str) -> WebSession | None: ...

    def add_session(self, session: WebSession) -> None: ...

    def end_session(self, token_hash: str) -> None: ...

    def end_sessions_of(self, user_name: str) -> int:
        """End every session of a person (password change, disabled); how many ended."""
        ...


__all__ += ["AccessStore"]
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


__all__ += ["WebchatFeed"]
