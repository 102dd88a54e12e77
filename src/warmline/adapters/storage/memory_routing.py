"""In-memory twin of the handoff queue and the agents table (contract: tests/contract).

Units of work copy the rows on entry and publish them on commit, like the conversation
twin; claims need no locks because the twin serves one thread at a time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields, replace
from datetime import UTC, datetime

from warmline.domain.routing.queueing import Handoff, HandoffState, HumanAgent
from warmline.ports import ConcurrencyError, Notice, QueueCounts

_OPEN = (HandoffState.QUEUED, HandoffState.CLAIMED)
_LIVE = (*_OPEN, HandoffState.ASSIGNED)


def _in_utc(h: Handoff) -> Handoff:
    """Times as the SQL stores return them: aware, in UTC."""
    changes = {f.name: getattr(h, f.name).astimezone(UTC) for f in fields(h)
               if isinstance(getattr(h, f.name), datetime)}
    return replace(h, **changes)


class MemoryRoutingStore:
    def __init__(self) -> None:
        self.handoffs: dict[str, tuple[Handoff, datetime | None]] = {}
        self.agents: dict[str, HumanAgent] = {}


class MemoryHandoffRepository:
    def __init__(self, store: MemoryRoutingStore) -> None:
        self.rows = dict(store.handoffs)
        self.notices: list[Notice] = []

    def _notice(self, x: Handoff, kind: str) -> None:
        self.notices.append(Notice(kind, x.id, x.queue, x.state.value, x.agent_id))

    def add(self, handoff: Handoff, next_due: datetime | None, kind: str) -> None:
        handoff = _in_utc(handoff)
        if handoff.id in self.rows:
            raise ConcurrencyError(handoff.id)
        self.rows[handoff.id] = (handoff, next_due)
        self._notice(handoff, kind)

    def save(self, handoff: Handoff, next_due: datetime | None, kind: str) -> None:
        handoff = _in_utc(handoff)
        if handoff.id not in self.rows:
            raise ConcurrencyError(handoff.id)
        self.rows[handoff.id] = (handoff, next_due)
        self._notice(handoff, kind)

    def get(self, handoff_id: str, lock: bool = False,
            skip_locked: bool = False) -> Handoff | None:
        row = self.rows.get(handoff_id)
        return None if row is None else row[0]

    def open_for(self, conversation_id: str, lock: bool = False) -> Handoff | None:
        mine = [x for x, _ in self.rows.values()
                if x.conversation_id == conversation_id and x.state in _LIVE]
        return max(mine, key=lambda x: x.enqueued_at) if mine else None

    def claim_next(self, agent_id: str, queues: Sequence[str], languages: Sequence[str],
                   now: datetime, lease_until: datetime) -> Handoff | None:
        for x, due in list(self.rows.values()):  # leases that ran out go back first
            if x.state is HandoffState.CLAIMED and x.lease_until and x.lease_until < now:
                back = replace(x, state=HandoffState.QUEUED, agent_id=None, lease_until=None)
                self.rows[x.id] = (back, due)
                self._notice(back, "expired")
        able = [x for x, _ in self.rows.values()
                if x.queue in queues and x.claimable(now)
                and (x.need_language is None or x.need_language in languages)]
        if not able:
            return None
        first = min(able, key=lambda x: x.order_key)
        claimed = replace(first, state=HandoffState.CLAIMED, agent_id=agent_id,
                          lease_until=lease_until)
        self.rows[claimed.id] = (claimed, lease_until)  # the sweeper looks again then
        self._notice(claimed, "claimed")
        return claimed

    def due(self, now: datetime, limit: int) -> list[Handoff]:
        found = sorted(((d, x) for x, d in self.rows.values()
                        if x.state in _OPEN and d is not None and d <= now),
                       key=lambda dx: (dx[0], dx[1].id))
        return [x for _, x in found[:limit]]

    def stranded(self, queues: Sequence[str], limit: int) -> list[Handoff]:
        found = sorted((x for x, _ in self.rows.values()
                        if x.state in _OPEN and x.queue not in queues),
                       key=lambda x: x.enqueued_at)
        return found[:limit]

    def loads(self, now: datetime, agent_id: str | None = None) -> dict[str, int]:
        out: dict[str, int] = {}
        for x, _ in self.rows.values():
            if x.agent_id is not None and x.load(now) and agent_id in (None, x.agent_id):
                out[x.agent_id] = out.get(x.agent_id, 0) + 1
        return out

    def counts(self, now: datetime) -> dict[str, QueueCounts]:
        out: dict[str, QueueCounts] = {}
        for q in sorted({x.queue for x, _ in self.rows.values() if x.state in _LIVE}):
            mine = [x for x, _ in self.rows.values() if x.queue == q]
            open_ = [x for x in mine if x.state in _OPEN]
            out[q] = QueueCounts(
                waiting=sum(x.claimable(now) for x in mine),
                deferred=sum(x.state is HandoffState.QUEUED and x.available_at > now
                             for x in mine),
                offered=sum(x.state is HandoffState.CLAIMED and x.lease_until is not None
                            and x.lease_until >= now for x in mine),
                assigned=sum(x.state is HandoffState.ASSIGNED for x in mine),
                alerted=sum(x.alerted for x in open_),
                oldest_waiting_since=min((x.waiting_since for x in open_), default=None))
        return out

    def ahead(self, handoff: Handoff, queues: Sequence[str],
              now: datetime) -> dict[str, int]:
        out: dict[str, int] = {}
        horizon = max(now, handoff.available_at)
        for x, _ in self.rows.values():
            lapsed = x.lease_until is not None and x.lease_until < now
            waiting = x.state is HandoffState.QUEUED or (x.state is HandoffState.CLAIMED
                                                         and lapsed)
            if (waiting and x.queue in queues and x.id != handoff.id
                    and x.available_at <= horizon and x.order_key < handoff.order_key):
                out[x.queue] = out.get(x.queue, 0) + 1
        return out

    def waiting(self, queue: str | None, now: datetime, limit: int) -> list[Handoff]:
        found = [x for x, _ in self.rows.values() if x.state in _OPEN
                 and (queue is None or x.queue == queue)]
        return sorted(found, key=lambda x: x.order_key)[:limit]

    def held(self, agent_id: str, now: datetime) -> list[Handoff]:
        return sorted((x for x, _ in self.rows.values() if x.held_by(agent_id, now)),
                      key=lambda x: (x.enqueued_at, x.id))

    def handle_seconds(self, queue: str, limit: int) -> list[float]:
        done = sorted((x for x, _ in self.rows.values()
                       if x.queue == queue and x.state is HandoffState.RESOLVED
                       and x.accepted_at and x.resolved_at),
                      key=lambda x: x.resolved_at or x.enqueued_at, reverse=True)
        return [((x.resolved_at or x.enqueued_at) - (x.accepted_at or x.enqueued_at))
                .total_seconds() for x in done[:limit]]


class MemoryAgentRepository:
    def __init__(self, store: MemoryRoutingStore) -> None:
        self.rows = dict(store.agents)

    def get(self, agent_id: str, lock: bool = False) -> HumanAgent | None:
        return self.rows.get(agent_id)

    def save(self, agent: HumanAgent) -> None:
        self.rows[agent.id] = agent

    def all(self) -> list[HumanAgent]:
        return [self.rows[k] for k in sorted(self.rows)]


def publish(store: MemoryRoutingStore, handoffs: MemoryHandoffRepository,
            agents: MemoryAgentRepository) -> None:
    """Commit: the unit's rows become the store's."""
    store.handoffs = dict(handoffs.rows)
    store.agents = dict(agents.rows)
