"""The storage ports on SQLAlchemy Core, for SQLite (single node) and PostgreSQL.

Concurrency is optimistic: `conversations.version` counts stored events and every append
moves it with `UPDATE ... WHERE version = :expected` (engine.py has how a lost race
surfaces on each database). A writer only conflicts when its expected_version was read
outside its own unit of work. A message owed to a customer (`OutboundRequested`) gets its
outbox row in the same transaction as the event: committed together or not at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from warmline.adapters.storage.engine import conflicts_as_concurrency_error, from_db, utc
from warmline.adapters.storage.schema import conversations, inbound_messages, outbox
from warmline.adapters.storage.schema import events as event_log
from warmline.adapters.storage.sql_routing import SqlAgentRepository, SqlHandoffRepository
from warmline.domain.events import (
    ConversationStarted,
    CustomerIdentified,
    Event,
    OutboundRequested,
    from_record,
    to_record,
)
from warmline.ports import ConcurrencyError, InboundKey, Notifier


def _identified(events: Sequence[Event]) -> dict[str, Any]:
    """The conversations row follows a CustomerIdentified (ids_for_customer reads it)."""
    found = [e for e in events if isinstance(e, CustomerIdentified)]
    return {"customer_ref": found[-1].customer_ref} if found else {}


class SqlConversationRepository:
    """ConversationRepository over one connection; the caller owns the transaction."""

    def __init__(self, connection: Connection) -> None:
        self._conn = connection
        self.appended: list[Event] = []  # this transaction's, for the unit of work

    def load(self, conversation_id: str) -> list[Event]:
        rows = self._conn.execute(
            select(event_log.c.type, event_log.c.occurred_at, event_log.c.payload)
            .where(event_log.c.conversation_id == conversation_id)
            .order_by(event_log.c.seq)
        )
        return [from_record(row.type, conversation_id, from_db(row.occurred_at),
                            dict(row.payload)) for row in rows]

    def append(self, conversation_id: str, events: Sequence[Event],
               expected_version: int) -> None:
        if any(e.conversation_id != conversation_id for e in events):
            raise ValueError(f"events for another conversation than {conversation_id!r}")
        if not events:
            if self._version(conversation_id) != expected_version:
                raise ConcurrencyError(conversation_id)
            return
        now = datetime.now(UTC)
        rows: list[dict[str, Any]] = []
        for seq, e in enumerate(events, start=expected_version + 1):
            type_name, payload = to_record(e)
            rows.append({"conversation_id": conversation_id, "seq": seq, "type": type_name,
                         "payload": payload, "occurred_at": utc(e.occurred_at),
                         "recorded_at": now})
        new_version = expected_version + len(events)
        with conflicts_as_concurrency_error(self._conn, conversation_id):
            moved = self._conn.execute(
                update(conversations)
                .where(conversations.c.id == conversation_id,
                       conversations.c.version == expected_version)
                .values(version=new_version, updated_at=now, **_identified(events))
            ).rowcount
            if moved == 0:
                if expected_version != 0:
                    raise ConcurrencyError(conversation_id)
                self._insert_conversation(conversation_id, events, new_version, now)
            self._conn.execute(insert(event_log), rows)
            self._owe(conversation_id, events, now)
        self.appended.extend(events)

    def _owe(self, conversation_id: str, events: Sequence[Event], now: datetime) -> None:
        """The outbox rows of the messages these events owe the customer (pending)."""
        owed = [e for e in events if isinstance(e, OutboundRequested)]
        if not owed:
            return
        channel = self._conn.scalar(select(conversations.c.channel)
                                    .where(conversations.c.id == conversation_id)) or ""
        self._conn.execute(insert(outbox), [
            {"key": e.message_id, "conversation_id": conversation_id, "channel": channel,
             "kind": e.kind, "state": "pending", "attempts": 0, "created_at": now,
             "updated_at": now} for e in owed])

    def _insert_conversation(self, conversation_id: str, events: Sequence[Event],
                             version: int, now: datetime) -> None:
        # A primary-key clash here means another writer created it first.
        started = next((e for e in events if isinstance(e, ConversationStarted)), None)
        self._conn.execute(insert(conversations).values(
            id=conversation_id,
            channel=started.channel if started else "api",
            customer_ref=started.customer_ref if started else None,
            version=version, created_at=now, updated_at=now))

    def _version(self, conversation_id: str) -> int:
        found = self._conn.scalar(select(conversations.c.version)
                                  .where(conversations.c.id == conversation_id))
        return int(found or 0)

    def inbound(self, channel: str, message_id: str) -> InboundKey | None:
        row = self._conn.execute(
            select(inbound_messages.c.conversation_id, inbound_messages.c.turn)
            .where(inbound_messages.c.channel == channel,
                   inbound_messages.c.message_id == message_id)
        ).first()
        return None if row is None else InboundKey(row.conversation_id, row.turn)

    def remember_inbound(self, channel: str, message_id: str, key: InboundKey) -> None:
        """Idempotent for the same key; a clash with a different key is a lost race.

        The (channel, message_id) primary key is what makes handling exactly-once: two
        writers racing on one inbound message cannot both commit, and the loser's
        ConcurrencyError makes the bus retry and then find the duplicate.
        """
        if self.inbound(channel, message_id) == key:
            return
        with conflicts_as_concurrency_error(self._conn, f"{channel}:{message_id}"):
            self._conn.execute(insert(inbound_messages).values(
                channel=channel, message_id=message_id,
                conversation_id=key.conversation_id, turn=key.turn))

    def list_ids(self, limit: int = 100, offset: int = 0) -> list[str]:
        """Most recently updated first, so the agent inbox shows live conversations."""
        return list(self._conn.scalars(
            select(conversations.c.id)
            .order_by(conversations.c.updated_at.desc(), conversations.c.id)
            .limit(limit).offset(offset)))

    def ids_for_customer(self, customer_ref: str, limit: int = 20) -> list[str]:
        """The customer's conversations, most recently updated first."""
        return list(self._conn.scalars(
            select(conversations.c.id)
            .where(conversations.c.customer_ref == customer_ref)
            .order_by(conversations.c.updated_at.desc(), conversations.c.id)
            .limit(limit)))


class SqlUnitOfWork:
    """One connection and one database transaction per `with` block."""

    conversations: SqlConversationRepository
    handoffs: SqlHandoffRepository
    agents: SqlAgentRepository

    def __init__(self, engine: Engine, notifier: Notifier | None = None) -> None:
        self.engine = engine
        self.notifier = notifier  # live updates about handoffs (adapters/notify.py)
        self._conn: Connection | None = None
        self.committed: list[Event] = []

    def __enter__(self) -> SqlUnitOfWork:
        if self._conn is not None:
            raise RuntimeError("unit of work is already open")
        self._conn = self.engine.connect()
        try:
            self._conn.begin()  # eager, so SQLite takes its write lock here
        except BaseException:
            self._conn.close()
            self._conn = None
            raise
        self.conversations = SqlConversationRepository(self._conn)
        self.handoffs = SqlHandoffRepository(self._conn)
        self.agents = SqlAgentRepository(self._conn)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.rollback()  # no-op when committed and nothing ran since
            finally:
                conn.close()

    def commit(self) -> None:
        """Publish; later work in this block starts a new transaction (autobegin)."""
        notices, self.handoffs.notices = self.handoffs.notices, []
        if notices and self.notifier is not None:
            self.notifier.before_commit(self._open(), notices)
        self._open().commit()
        self.committed.extend(self.conversations.appended)
        self.conversations.appended = []
        if notices and self.notifier is not None:
            self.notifier.after_commit(notices)

    def rollback(self) -> None:
        self.handoffs.notices = []
        self.conversations.appended = []
        self._open().rollback()

    def _open(self) -> Connection:
        if self._conn is None:
            raise RuntimeError("unit of work is not open")
        return self._conn


__all__ = ["SqlConversationRepository", "SqlUnitOfWork"]
