"""Storage: the conversation log, the handoff queue and the people, in one unit of work;
live updates about handoffs after each commit (docs/architecture.md)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any, Protocol

from warmline.domain.events import Event
from warmline.domain.routing.queueing import Handoff, HumanAgent


class ConcurrencyError(Exception):
    """Another writer appended to the same conversation first; retry the command."""


class DatabaseNotReady(Exception):
    """The database cannot be used as it is (missing, unreachable, not migrated): the
    message says what is wrong and what to do, in one line."""


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
    """One transaction: handlers write through it, the message bus commits it.

    Appending an `OutboundRequested` event also stores its outbox row (pending) in the
    same transaction, so a message owed to a customer is never committed without the row
    that gets it sent (service/delivery.py, service/sweeper.py).
    """

    @property
    def committed(self) -> Sequence[Event]:
        """The events this unit of work has committed so far, in order."""
        ...

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
