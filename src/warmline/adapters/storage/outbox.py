"""The outbox: which outbound messages were sent, and which are owed a retry.

Two twins of the `Outbox` port: SQL (the `outbox` table, migration 0004; shared by every
process, so a redelivered command or a restarted worker never sends a key twice) and
memory (tests, `WARMLINE_DATABASE_URL` unset). They double as the channel clients'
SentLog: a key recorded as sent returns its message id instead of reaching the platform
again, and an uncertain key is never resent.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import Engine, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from warmline.adapters.channels.base import UNCERTAIN
from warmline.adapters.storage.engine import utc
from warmline.adapters.storage.schema import outbox
from warmline.ports import OutboxEntry


def _utcnow() -> datetime:
    return datetime.now(UTC)


class MemoryOutbox:
    def __init__(self) -> None:
        self._rows: dict[str, OutboxEntry] = {}
        self._order: list[str] = []
        self._lock = threading.Lock()

    def get(self, key: str) -> str | None:
        with self._lock:
            row = self._rows.get(key)
        if row is None:
            return None
        if row.state == "uncertain":
            return UNCERTAIN
        return row.provider_message_id if row.state == "sent" else None

    def put(self, key: str, message_id: str) -> None:
        with self._lock:
            row = self._rows.get(key) or OutboxEntry(key, "", "", "")
            state = "uncertain" if message_id == UNCERTAIN else "sent"
            self._rows[key] = replace(row, state=state, provider_message_id=(
                None if state == "uncertain" else message_id))
            if key not in self._order:
                self._order.append(key)

    def begin(self, entry: OutboxEntry, now: datetime) -> OutboxEntry:
        with self._lock:
            if entry.key not in self._rows:
                self._rows[entry.key] = entry
                self._order.append(entry.key)
            return self._rows[entry.key]

    def claim(self, key: str, now: datetime, until: datetime) -> OutboxEntry | None:
        with self._lock:
            row = self._rows.get(key)
            if row is None or row.state != "pending" or (
                    row.next_attempt_at is not None and row.next_attempt_at > now):
                return None
            self._rows[key] = replace(row, state="sending", next_attempt_at=until)
            return self._rows[key]

    def update(self, entry: OutboxEntry, now: datetime) -> None:
        with self._lock:
            self._rows[entry.key] = entry

    def expire(self, now: datetime) -> list[OutboxEntry]:
        with self._lock:
            gone = [replace(r, state="uncertain", next_attempt_at=None,
                            last_error="the sender stopped mid-send: outcome unknown")
                    for r in self._rows.values() if r.state == "sending"
                    and r.next_attempt_at is not None and r.next_attempt_at <= now]
            for r in gone:
                self._rows[r.key] = r
        return gone

    def due(self, now: datetime, limit: int = 100) -> list[OutboxEntry]:
        with self._lock:
            rows = [self._rows[k] for k in self._order]
        return [r for r in rows if r.state == "pending"
                and (r.next_attempt_at is None or r.next_attempt_at <= now)][:limit]

    def for_conversation(self, conversation_id: str) -> list[OutboxEntry]:
        with self._lock:
            return [self._rows[k] for k in self._order
                    if self._rows[k].conversation_id == conversation_id]


def _entry(row: object) -> OutboxEntry:
    m = row._mapping  # type: ignore[attr-defined]
    when = m["next_attempt_at"]
    if when is not None and when.tzinfo is None:  # SQLite hands back naive UTC
        when = when.replace(tzinfo=UTC)
    return OutboxEntry(m["key"], m["conversation_id"], m["channel"], m["kind"], m["state"],
                       m["attempts"], m["provider_message_id"], m["last_error"], when)


class SqlOutbox:
    """The `outbox` table; each call is its own short transaction (delivery is not a
    handler's write: it happens after the conversation's commit)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def get(self, key: str) -> str | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(outbox).where(outbox.c.key == key)).first()
        if row is None:
            return None
        entry = _entry(row)
        if entry.state == "uncertain":
            return UNCERTAIN
        return entry.provider_message_id if entry.state == "sent" else None

    def put(self, key: str, message_id: str) -> None:
        uncertain = message_id == UNCERTAIN
        now = _utcnow()
        with self.engine.begin() as conn:
            done = conn.execute(update(outbox).where(outbox.c.key == key).values(
                state="uncertain" if uncertain else "sent",
                provider_message_id=None if uncertain else message_id, updated_at=now))
            if done.rowcount == 0:
                conn.execute(insert(outbox).values(
                    key=key, conversation_id="", channel="", kind="",
                    state="uncertain" if uncertain else "sent", attempts=1,
                    provider_message_id=None if uncertain else message_id,
                    created_at=now, updated_at=now))

    def begin(self, entry: OutboxEntry, now: datetime) -> OutboxEntry:
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(outbox).values(
                    key=entry.key, conversation_id=entry.conversation_id,
                    channel=entry.channel, kind=entry.kind, state=entry.state,
                    attempts=entry.attempts, next_attempt_at=entry.next_attempt_at,
                    created_at=now, updated_at=now))
        except IntegrityError:
            pass  # another delivery got there first: the stored row wins
        with self.engine.connect() as conn:
            return _entry(conn.execute(select(outbox).where(outbox.c.key == entry.key)).one())

    def claim(self, key: str, now: datetime, until: datetime) -> OutboxEntry | None:
        c = outbox.c
        with self.engine.begin() as conn:
            taken = conn.execute(update(outbox).where(
                c.key == key, c.state == "pending",
                or_(c.next_attempt_at.is_(None), c.next_attempt_at <= utc(now)))
                .values(state="sending", next_attempt_at=utc(until),
                        updated_at=utc(now))).rowcount
            if taken != 1:
                return None
            return _entry(conn.execute(select(outbox).where(c.key == key)).one())

    def expire(self, now: datetime) -> list[OutboxEntry]:
        c = outbox.c
        why = "the sender stopped mid-send: outcome unknown"
        with self.engine.begin() as conn:
            stale = [_entry(r) for r in conn.execute(select(outbox).where(
                c.state == "sending", c.next_attempt_at <= utc(now))).all()]
            if stale:
                conn.execute(update(outbox).where(
                    c.key.in_([e.key for e in stale]), c.state == "sending")
                    .values(state="uncertain", next_attempt_at=None, last_error=why,
                            updated_at=utc(now)))
        return [replace(e, state="uncertain", next_attempt_at=None, last_error=why)
                for e in stale]

    def update(self, entry: OutboxEntry, now: datetime) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(outbox).where(outbox.c.key == entry.key).values(
                state=entry.state, attempts=entry.attempts,
                provider_message_id=entry.provider_message_id, last_error=entry.last_error,
                next_attempt_at=entry.next_attempt_at, updated_at=now))

    def due(self, now: datetime, limit: int = 100) -> list[OutboxEntry]:
        c = outbox.c
        with self.engine.connect() as conn:
            rows = conn.execute(select(outbox).where(
                c.state == "pending",
                or_(c.next_attempt_at.is_(None), c.next_attempt_at <= utc(now)))
                .order_by(c.created_at, c.key).limit(limit)).all()
        return [_entry(r) for r in rows]

    def for_conversation(self, conversation_id: str) -> list[OutboxEntry]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(outbox).where(
                outbox.c.conversation_id == conversation_id)
                .order_by(outbox.c.created_at)).all()
        return [_entry(r) for r in rows]
