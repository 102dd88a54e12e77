"""In-memory twin of the storage ports, for unit tests and one-shot CLI runs.

It behaves like the SQL stores on everything the contract suite checks: optimistic
versions, inbound keys that cannot be taken twice, newest-first listing, aware datetimes.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import UTC, datetime
from types import TracebackType

from warmline.adapters.storage.memory_routing import (
    MemoryAgentRepository,
    MemoryHandoffRepository,
    MemoryRoutingStore,
    publish,
)
from warmline.adapters.storage.outbox import MemoryOutbox
from warmline.domain.events import ConversationStarted, CustomerIdentified, Event, OutboundRequested
from warmline.ports import ConcurrencyError, InboundKey, Notifier, OutboxEntry


class MemoryStore:
    """The shared 'database' that memory units of work commit into."""

    def __init__(self) -> None:
        self.events: dict[str, list[Event]] = {}
        self.inbound: dict[tuple[str, str], InboundKey] = {}
        self.touched: dict[str, int] = {}  # conversation -> write tick, for newest-first
        self.ticks = itertools.count(1)
        self.routing = MemoryRoutingStore()  # the handoff queue and the agents
        self.outbox = MemoryOutbox()  # rows of owed messages, written with their events


class MemoryUnits:
    """A factory of memory units of work over one store (what bootstrap takes as `uow`)."""

    def __init__(self, store: MemoryStore | None = None,
                 notifier: Notifier | None = None) -> None:
        self.store = store or MemoryStore()
        self.notifier = notifier

    def __call__(self) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self.store, self.notifier)


class MemoryConversationRepository:
    def __init__(self, store: MemoryStore) -> None:
        self._store = store
        self.events = {k: list(v) for k, v in store.events.items()}
        self.inbound_keys = dict(store.inbound)
        self.touched = dict(store.touched)

    def load(self, conversation_id: str) -> list[Event]:
        return list(self.events.get(conversation_id, []))

    def append(self, conversation_id: str, events: Sequence[Event],
               expected_version: int) -> None:
        for e in events:
            if e.conversation_id != conversation_id:
                raise ValueError(f"event for {e.conversation_id!r} appended to "
                                 f"{conversation_id!r}")
            if e.occurred_at.tzinfo is None:
                raise ValueError("occurred_at must be timezone-aware")
        if len(self.events.get(conversation_id, [])) != expected_version:
            raise ConcurrencyError(conversation_id)
        if events:
            self.events.setdefault(conversation_id, []).extend(events)
            self.touched[conversation_id] = next(self._store.ticks)

    def inbound(self, channel: str, message_id: str) -> InboundKey | None:
        return self.inbound_keys.get((channel, message_id))

    def remember_inbound(self, channel: str, message_id: str, key: InboundKey) -> None:
        taken = self.inbound_keys.get((channel, message_id))
        if taken is not None and taken != key:
            raise ConcurrencyError(f"{channel}:{message_id}")
        self.inbound_keys[(channel, message_id)] = key

    def list_ids(self, limit: int = 100, offset: int = 0) -> list[str]:
        order = sorted(self.touched, key=lambda c: (-self.touched[c], c))
        return order[offset:offset + limit]

    def ids_for_customer(self, customer_ref: str, limit: int = 20) -> list[str]:
        mine = [cid for cid in self.list_ids(limit=len(self.touched))
                if _customer_of(self.events.get(cid, [])) == customer_ref]
        return mine[:limit]


def _customer_of(events: list[Event]) -> str | None:
    """The conversation's customer: as it started, or as identified since."""
    ref = None
    for e in events:
        if isinstance(e, ConversationStarted | CustomerIdentified):
            ref = e.customer_ref or ref
    return ref


class MemoryUnitOfWork:
    """Works on a copy; `commit` publishes it to the store, anything else discards it."""

    def __init__(self, store: MemoryStore, notifier: Notifier | None = None) -> None:
        self.store = store
        self.notifier = notifier
        self.committed: list[Event] = []
        self.conversations = MemoryConversationRepository(store)
        self.handoffs = MemoryHandoffRepository(store.routing)
        self.agents = MemoryAgentRepository(store.routing)

    def __enter__(self) -> MemoryUnitOfWork:
        self.conversations = MemoryConversationRepository(self.store)
        self.handoffs = MemoryHandoffRepository(self.store.routing)
        self.agents = MemoryAgentRepository(self.store.routing)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.rollback()

    def commit(self) -> None:
        work = self.conversations
        for cid, log in work.events.items():
            current = self.store.events.get(cid, [])
            if log[:len(current)] != current:
                raise ConcurrencyError(cid)
        for key, value in work.inbound_keys.items():
            taken = self.store.inbound.get(key)
            if taken is not None and taken != value:
                raise ConcurrencyError(f"{key[0]}:{key[1]}")
        now = datetime.now(UTC)
        for cid, log in work.events.items():  # publish only what this unit changed
            before = len(self.store.events.get(cid, []))
            if len(log) != before:
                self.store.events[cid] = list(log)
                self.store.touched[cid] = work.touched[cid]
                self.committed.extend(log[before:])
                self._owe(cid, log, log[before:], now)
        self.store.inbound.update(work.inbound_keys)
        publish(self.store.routing, self.handoffs, self.agents)
        notices, self.handoffs.notices = self.handoffs.notices, []
        if notices and self.notifier is not None:
            self.notifier.after_commit(notices)
        self.conversations = MemoryConversationRepository(self.store)

    def _owe(self, cid: str, log: list[Event], new: list[Event], now: datetime) -> None:
        """Outbox rows for the owed messages, as the SQL store writes them with the events."""
        channel = next((e.channel for e in log if isinstance(e, ConversationStarted)), "")
        for e in new:
            if isinstance(e, OutboundRequested):
                self.store.outbox.begin(OutboxEntry(e.message_id, cid, channel, e.kind), now)

    def rollback(self) -> None:
        self.conversations = MemoryConversationRepository(self.store)
        self.handoffs = MemoryHandoffRepository(self.store.routing)
        self.agents = MemoryAgentRepository(self.store.routing)
