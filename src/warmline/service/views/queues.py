"""Read side of routing: queues with live figures and ETAs, people, one handoff.

No writes here. The ETA of a waiting handoff is the value customer-facing messages
use ("a person from retention will be with you in about 4 minutes"): `handoff_view`
returns it with the figures it came from.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from warmline.domain.policy import Policy
from warmline.domain.routing import hours
from warmline.domain.routing.eta import staffing
from warmline.domain.routing.queueing import Handoff, HandoffState, HumanAgent, queues_for
from warmline.ports import QueueCounts, UnitOfWork
from warmline.service.handlers.routing import LiveFigures, wait_estimate


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def handoff_out(h: Handoff, now: datetime) -> dict[str, Any]:
    return {
        "id": h.id, "conversation_id": h.conversation_id, "queue": h.queue,
        "priority": h.priority, "state": h.state.value, "rule": h.rule,
        "language": h.language, "agent_id": h.agent_id,
        "lease_until": _iso(h.lease_until), "enqueued_at": h.enqueued_at.isoformat(),
        "waiting_since": h.waiting_since.isoformat(),
        "available_at": h.available_at.isoformat(),
        "waiting_seconds": max(int((now - h.waiting_since).total_seconds()), 0),
        "overdue": h.alerted, "callback": h.callback, "transfers": h.transfers,
        "accepted_at": _iso(h.accepted_at), "resolved_at": _iso(h.resolved_at)}


def _eta(uow: UnitOfWork, policy: Policy, h: Handoff, now: datetime,
         live: LiveFigures) -> dict[str, Any]:
    if h.state not in (HandoffState.QUEUED, HandoffState.CLAIMED):
        return {"eta_seconds": None, "eta_minutes": None, "position": None,
                "eta_basis": f"the handoff is {h.state.value}"}
    est = wait_estimate(uow, policy.routing, h, now, live)
    return {"eta_seconds": est.seconds, "eta_minutes": est.minutes, "position": est.position,
            "eta_basis": est.basis}


def queues_view(uow: UnitOfWork, policy: Policy, now: datetime) -> list[dict[str, Any]]:
    with uow:
        live = LiveFigures(uow, policy.routing, now)
        counts = uow.handoffs.counts(now)
        return [_queue_out(name, policy, counts.get(name, QueueCounts()), live, now)
                for name in policy.routing.queues]


def _queue_out(name: str, policy: Policy, c: QueueCounts, live: LiveFigures,
               now: datetime) -> dict[str, Any]:
    rp = policy.routing
    spec = rp.queues[name]
    schedule = rp.schedules[spec.hours]
    open_now = hours.is_open(schedule, now)
    s = staffing(live.pairs, name, rp, None, live.handle(name))
    oldest = c.oldest_waiting_since
    # a new handoff joins at the back: everyone waiting here is ahead of it
    probe = Handoff("(new)", "", name, 0, HandoffState.QUEUED, "", now, now, now,
                    now if open_now else (hours.next_open(schedule, now) or now))
    est = wait_estimate(live.uow, rp, probe, now, live)
    return {
        "name": name, "description": spec.description, "fallback": spec.fallback,
        "skills": list(spec.skills), "languages": list(spec.languages),
        "product_lines": list(spec.product_lines), "hours": spec.hours,
        "open_now": open_now,
        "opens_at": None if open_now else _iso(hours.next_open(schedule, now)),
        "sla_seconds": spec.sla_seconds, "waiting": c.waiting, "deferred": c.deferred,
        "offered": c.offered, "in_progress": c.assigned, "overdue": c.alerted,
        "oldest_wait_seconds": None if oldest is None else max(
            int((now - oldest).total_seconds()), 0),
        "agents_online": s.agents_online, "capacity": s.capacity, "busy": s.busy,
        "free": s.free, "handle_seconds": round(live.handle(name), 1),
        "eta_seconds": est.seconds, "eta_minutes": est.minutes, "eta_basis": est.basis}


def queue_view(uow: UnitOfWork, policy: Policy, name: str, now: datetime,
               limit: int = 50) -> dict[str, Any] | None:
    if name not in policy.routing.queues:
        return None
    with uow:
        live = LiveFigures(uow, policy.routing, now)
        counts = uow.handoffs.counts(now).get(name, QueueCounts())
        out = _queue_out(name, policy, counts, live, now)
        out["handoffs"] = [{**handoff_out(h, now), **_eta(uow, policy, h, now, live)}
                           for h in uow.handoffs.waiting(name, now, limit)]
        return out


def agents_view(uow: UnitOfWork, policy: Policy, now: datetime) -> list[dict[str, Any]]:
    with uow:
        loads = uow.handoffs.loads(now)
        return [agent_out(a, loads.get(a.id, 0), policy) for a in uow.agents.all()]


def agent_out(a: HumanAgent, load: int, policy: Policy) -> dict[str, Any]:
    return {"id": a.id, "name": a.name, "skills": sorted(a.skills),
            "languages": sorted(a.languages), "capacity": a.capacity,
            "presence": a.presence.value, "presence_since": _iso(a.presence_since),
            "load": load, "queues": queues_for(a, policy.routing),
            "last_assigned_at": _iso(a.last_assigned_at)}


def handoff_view(uow: UnitOfWork, policy: Policy, handoff_id: str,
                 now: datetime) -> dict[str, Any] | None:
    with uow:
        h = uow.handoffs.get(handoff_id)
        return None if h is None else _full(uow, policy, h, now)


def _full(uow: UnitOfWork, policy: Policy, h: Handoff, now: datetime) -> dict[str, Any]:
    out = {**handoff_out(h, now), **_eta(uow, policy, h, now,
                                          LiveFigures(uow, policy.routing, now))}
    agent = uow.agents.get(h.agent_id) if h.agent_id else None
    out["agent_name"] = agent.name if agent else None
    return out


def conversation_handoff(uow: UnitOfWork, policy: Policy, conversation_id: str,
                         now: datetime) -> dict[str, Any] | None:
    """The conversation's open handoff with its ETA: what the customer may be told."""
    with uow:
        h = uow.handoffs.open_for(conversation_id)
        return None if h is None else _full(uow, policy, h, now)
