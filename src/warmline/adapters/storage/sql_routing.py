"""The handoff queue and the agents table on SQLAlchemy Core (SQLite and PostgreSQL).

Claims are exclusive without a coordinator. On PostgreSQL a claimer selects the first
claimable row `FOR UPDATE SKIP LOCKED` and leases it in the same transaction: rows other
claimers hold are skipped rather than waited for, and a row that another claimer leased
and committed meanwhile no longer matches when it is re-checked under the lock, so no
handoff is handed out twice and no claimer blocks another. A lease that runs out makes
the row claimable again by the same query (`lease_until < now`): a worker that died
after claiming loses nothing. On SQLite every unit of work holds the database's single
write lock (BEGIN IMMEDIATE), which gives the same guarantee one writer at a time; the
FOR UPDATE clauses compile to nothing there.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, and_, func, insert, or_, select, update
from sqlalchemy.engine import Row
from sqlalchemy.exc import DBAPIError, IntegrityError

from warmline.adapters.storage.engine import from_db, is_retryable, utc
from warmline.adapters.storage.schema import agents, handoffs
from warmline.domain.routing.queueing import Handoff, HandoffState, HumanAgent, Presence
from warmline.ports import ConcurrencyError, Notice, QueueCounts

h = handoffs.c
OPEN = ("queued", "claimed")
HELD = ("claimed", "assigned")


def _opt_utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else utc(moment)


def _opt_db(moment: datetime | None) -> datetime | None:
    return None if moment is None else from_db(moment)


def _handoff(row: Row[Any]) -> Handoff:
    m = row._mapping
    return Handoff(
        id=m["id"], conversation_id=m["conversation_id"], queue=m["queue"],
        priority=m["priority"], state=HandoffState(m["state"]), rule=m["rule"],
        enqueued_at=from_db(m["enqueued_at"]), queued_at=from_db(m["queued_at"]),
        waiting_since=from_db(m["waiting_since"]),
        available_at=from_db(m["available_at"]), language=m["language"],
        need_language=m["need_language"], agent_id=m["agent_id"],
        lease_until=_opt_db(m["lease_until"]), step=m["step"], alerted=bool(m["alerted"]),
        callback=bool(m["callback"]), transfers=m["transfers"],
        accepted_at=_opt_db(m["accepted_at"]), resolved_at=_opt_db(m["resolved_at"]))


def _values(x: Handoff, next_due: datetime | None) -> dict[str, Any]:
    return {
        "conversation_id": x.conversation_id, "queue": x.queue, "priority": x.priority,
        "state": x.state.value, "rule": x.rule, "language": x.language,
        "need_language": x.need_language, "agent_id": x.agent_id,
        "lease_until": _opt_utc(x.lease_until), "enqueued_at": utc(x.enqueued_at),
        "queued_at": utc(x.queued_at), "waiting_since": utc(x.waiting_since),
        "available_at": utc(x.available_at), "step": x.step, "alerted": x.alerted,
        "callback": x.callback, "transfers": x.transfers,
        "next_due_at": _opt_utc(next_due), "accepted_at": _opt_utc(x.accepted_at),
        "resolved_at": _opt_utc(x.resolved_at), "updated_at": datetime.now(UTC)}


def _claimable(now: datetime) -> Any:
    return and_(h.state.in_(OPEN),
                or_(h.state == "queued", and_(h.state == "claimed", h.lease_until < now)))


class SqlHandoffRepository:
    """HandoffRepository over one connection; the unit of work owns the transaction."""

    def __init__(self, connection: Connection) -> None:
        self._conn = connection
        self.notices: list[Notice] = []

    def _notice(self, x: Handoff, kind: str) -> None:
        self.notices.append(Notice(kind, x.id, x.queue, x.state.value, x.agent_id))

    def add(self, handoff: Handoff, next_due: datetime | None, kind: str) -> None:
        try:
            with self._conn.begin_nested():
                self._conn.execute(insert(handoffs).values(
                    id=handoff.id, **_values(handoff, next_due)))
        except IntegrityError as exc:
            raise ConcurrencyError(handoff.id) from exc
        self._notice(handoff, kind)

    def save(self, handoff: Handoff, next_due: datetime | None, kind: str) -> None:
        moved = self._conn.execute(
            update(handoffs).where(h.id == handoff.id)
            .values(**_values(handoff, next_due))).rowcount
        if moved != 1:
            raise ConcurrencyError(handoff.id)
        self._notice(handoff, kind)

    def get(self, handoff_id: str, lock: bool = False,
            skip_locked: bool = False) -> Handoff | None:
        query = select(handoffs).where(h.id == handoff_id)
        if lock:
            query = query.with_for_update(skip_locked=skip_locked)
        row = self._run(query).first()
        return None if row is None else _handoff(row)

    def open_for(self, conversation_id: str, lock: bool = False) -> Handoff | None:
        query = (select(handoffs).where(h.conversation_id == conversation_id,
                                        h.state.in_(("queued", "claimed", "assigned")))
                 .order_by(h.enqueued_at.desc()).limit(1))
        row = self._run(query.with_for_update() if lock else query).first()
        return None if row is None else _handoff(row)

    def claim_next(self, agent_id: str, queues: Sequence[str], languages: Sequence[str],
                   now: datetime, lease_until: datetime) -> Handoff | None:
        if not queues:
            return None
        at = utc(now)
        lapsed = (select(h.id).where(h.state == "claimed", h.lease_until < at)
                  .with_for_update(skip_locked=True).scalar_subquery())
        for back in self._run(update(handoffs).where(h.id.in_(lapsed))
                              .values(state="queued", agent_id=None, lease_until=None,
                                      updated_at=at).returning(h.id, h.queue)):
            self.notices.append(Notice("expired", back.id, back.queue, "queued"))
        speaks = (or_(h.need_language.is_(None), h.need_language.in_(list(languages)))
                  if languages else h.need_language.is_(None))
        first = (select(h.id)
                 .where(h.state == "queued", h.queue.in_(list(queues)), h.available_at <= at,
                        speaks)
                 .order_by(h.priority.desc(), h.enqueued_at, h.id).limit(1)
                 .with_for_update(skip_locked=True).scalar_subquery())
        row = self._run(  # pick and lease in one statement: one round trip per claim
            update(handoffs).where(h.id == first, h.state == "queued")
            .values(state="claimed", agent_id=agent_id, lease_until=utc(lease_until),
                    next_due_at=utc(lease_until), updated_at=at)
            .returning(*handoffs.c)).first()
        if row is None:
            return None
        claimed = _handoff(row)
        self._notice(claimed, "claimed")
        return claimed

    def due(self, now: datetime, limit: int) -> list[Handoff]:
        rows = self._run(
            select(handoffs).where(h.state.in_(OPEN), h.next_due_at <= utc(now))
            .order_by(h.next_due_at).limit(limit).with_for_update(skip_locked=True))
        return [_handoff(r) for r in rows]

    def stranded(self, queues: Sequence[str], limit: int) -> list[Handoff]:
        rows = self._run(
            select(handoffs).where(h.state.in_(OPEN), h.queue.not_in(list(queues)))
            .order_by(h.enqueued_at).limit(limit).with_for_update(skip_locked=True))
        return [_handoff(r) for r in rows]

    def loads(self, now: datetime, agent_id: str | None = None) -> dict[str, int]:
        who = h.agent_id.is_not(None) if agent_id is None else h.agent_id == agent_id
        rows = self._run(
            select(h.agent_id, func.count()).where(
                h.state.in_(HELD), who,
                or_(h.state == "assigned", h.lease_until >= utc(now)))
            .group_by(h.agent_id))
        return {r[0]: int(r[1]) for r in rows}

    def counts(self, now: datetime) -> dict[str, QueueCounts]:
        at = utc(now)
        lapsed = and_(h.state == "claimed", h.lease_until < at)
        waiting = and_(or_(h.state == "queued", lapsed), h.available_at <= at)
        rows = self._run(
            select(h.queue,
                   func.count().filter(waiting),
                   func.count().filter(h.state == "queued", h.available_at > at),
                   func.count().filter(h.state == "claimed", h.lease_until >= at),
                   func.count().filter(h.state == "assigned"),
                   func.count().filter(h.alerted.is_(True), h.state.in_(OPEN)),
                   func.min(h.waiting_since).filter(h.state.in_(OPEN)))
            .where(h.state.in_(("queued", "claimed", "assigned"))).group_by(h.queue))
        return {r[0]: QueueCounts(int(r[1]), int(r[2]), int(r[3]), int(r[4]), int(r[5]),
                                  _opt_db(r[6])) for r in rows}

    def ahead(self, handoff: Handoff, queues: Sequence[str],
              now: datetime) -> dict[str, int]:
        first = or_(h.priority > handoff.priority,
                    and_(h.priority == handoff.priority,
                         or_(h.enqueued_at < utc(handoff.enqueued_at),
                             and_(h.enqueued_at == utc(handoff.enqueued_at),
                                  h.id < handoff.id))))
        rows = self._run(
            select(h.queue, func.count())
            .where(h.queue.in_(list(queues)), _claimable(now), h.id != handoff.id,
                   h.available_at <= utc(max(now, handoff.available_at)), first)
            .group_by(h.queue))
        return {r[0]: int(r[1]) for r in rows}

    def waiting(self, queue: str | None, now: datetime, limit: int) -> list[Handoff]:
        query = select(handoffs).where(h.state.in_(OPEN))
        if queue is not None:
            query = query.where(h.queue == queue)
        rows = self._run(query.order_by(h.priority.desc(), h.enqueued_at, h.id).limit(limit))
        return [_handoff(r) for r in rows]

    def held(self, agent_id: str, now: datetime) -> list[Handoff]:
        rows = self._run(select(handoffs).where(h.agent_id == agent_id, h.state.in_(HELD))
                         .order_by(h.enqueued_at, h.id))
        return [x for x in (_handoff(r) for r in rows) if x.held_by(agent_id, now)]

    def handle_seconds(self, queue: str, limit: int) -> list[float]:
        rows = self._run(
            select(h.accepted_at, h.resolved_at)
            .where(h.queue == queue, h.state == "resolved", h.accepted_at.is_not(None))
            .order_by(h.resolved_at.desc()).limit(limit))
        return [(from_db(r[1]) - from_db(r[0])).total_seconds() for r in rows]

    def _run(self, query: Any) -> Any:
        try:
            return self._conn.execute(query)
        except DBAPIError as exc:
            if is_retryable(exc):
                raise ConcurrencyError("handoffs") from exc
            raise


def _agent(row: Row[Any]) -> HumanAgent:
    m = row._mapping
    return HumanAgent(id=m["id"], name=m["name"], skills=frozenset(m["skills"]),
                      languages=frozenset(m["languages"]), capacity=m["capacity"],
                      presence=Presence(m["presence"]),
                      presence_since=_opt_db(m["presence_since"]),
                      last_assigned_at=_opt_db(m["last_assigned_at"]))


class SqlAgentRepository:
    def __init__(self, connection: Connection) -> None:
        self._conn = connection

    def get(self, agent_id: str, lock: bool = False) -> HumanAgent | None:
        query = select(agents).where(agents.c.id == agent_id)
        if lock:
            query = query.with_for_update()
        row = self._conn.execute(query).first()
        return None if row is None else _agent(row)

    def save(self, agent: HumanAgent) -> None:
        values = {"name": agent.name, "skills": sorted(agent.skills),
                  "languages": sorted(agent.languages), "capacity": agent.capacity,
                  "presence": agent.presence.value,
                  "presence_since": _opt_utc(agent.presence_since),
                  "last_assigned_at": _opt_utc(agent.last_assigned_at),
                  "updated_at": datetime.now(UTC)}
        moved = self._conn.execute(
            update(agents).where(agents.c.id == agent.id).values(**values)).rowcount
        if moved:
            return
        try:
            with self._conn.begin_nested():
                self._conn.execute(insert(agents).values(id=agent.id, **values))
        except IntegrityError as exc:  # created by someone else meanwhile: retry
            raise ConcurrencyError(agent.id) from exc

    def all(self) -> list[HumanAgent]:
        return [_agent(r) for r in self._conn.execute(select(agents).order_by(agents.c.id))]
