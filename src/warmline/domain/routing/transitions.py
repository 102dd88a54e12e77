"""Pure transitions of one handoff: routed, offered, out of hours, the cascade, the next look.

The service layer applies them inside a unit of work (service/handlers/routing.py and the
sweep), and the staffing simulation (simulation/engine.py) applies the very same functions
to its simulated queue, so a plan is judged by the rules that run in production. Only
what needs storage stays in the service: the row lock on the chosen person and the
recount of their load under it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from warmline.domain import events as ev
from warmline.domain.routing.policy import RoutingPolicy
from warmline.domain.routing.queueing import (
    Deferral,
    Handoff,
    HandoffState,
    HumanAgent,
    cascade,
    choose_agent,
    need_language,
    next_due,
    when_closed,
)
from warmline.domain.routing.route import RouteDecision


def routed(handoff_id: str, conversation_id: str, decision: RouteDecision,
           language: str | None, rp: RoutingPolicy, now: datetime) -> Handoff:
    """A new handoff, queued where the router sent it (before the out-of-hours rule)."""
    return Handoff(handoff_id, conversation_id, decision.queue, decision.priority,
                   HandoffState.QUEUED, decision.rule, now, now, now, now, language=language,
                   need_language=need_language(rp.queues[decision.queue], language))


def offer_to(h: Handoff, people: Iterable[tuple[HumanAgent, int]], rp: RoutingPolicy,
             now: datetime) -> HumanAgent | None:
    """Who `h` is offered to now, given each person's load; None: it waits."""
    if not h.claimable(now):
        return None
    return choose_agent(people, rp.queues[h.queue], h.need_language)


def lease_until(rp: RoutingPolicy, now: datetime) -> datetime:
    """When an offer (or a claim) made now lapses unless confirmed."""
    return now + timedelta(seconds=rp.offer_seconds)


def offered(h: Handoff, agent_id: str, rp: RoutingPolicy, now: datetime) -> Handoff:
    """`h` leased to a person for the offer window."""
    return replace(h, state=HandoffState.CLAIMED, agent_id=agent_id,
                   lease_until=lease_until(rp, now))


def apply_closed(h: Handoff, rp: RoutingPolicy,
                 now: datetime) -> tuple[Handoff, list[ev.Event]]:
    """Out of hours: overflow to an open queue, or wait for the opening / a call-back."""
    outcome = when_closed(h.queue, rp, now)
    if outcome is None:
        return h, []
    base = envelope(h, now)
    if isinstance(outcome, str):
        moved = replace(h, queue=outcome, queued_at=now, step=0,
                        need_language=need_language(rp.queues[outcome], h.language))
        return moved, [ev.HandoffEscalated(
            **base, kind="closed", from_queue=h.queue, to_queue=outcome,
            priority=h.priority, waited_seconds=waited(h, now),
            reason=f"{h.queue} is closed; its out-of-hours queue is {outcome}")]
    deferral: Deferral = outcome
    callback = deferral.action == "callback"
    boost = rp.callback_priority_boost if callback else 0
    moved = replace(h, queue=deferral.queue, available_at=deferral.until, callback=callback,
                    priority=min(100, h.priority + boost))
    return moved, [ev.HandoffDeferred(**base, queue=deferral.queue, action=deferral.action,
                                      until=deferral.until.isoformat(),
                                      reason=deferral.reason)]


def step(h: Handoff, rp: RoutingPolicy, now: datetime) -> tuple[Handoff, list[ev.Event]]:
    """What the sweeper does to one due handoff: closing, cascade, alert."""
    events: list[ev.Event] = []
    if h.available_at <= now and when_closed(h.queue, rp, now) is not None:
        h, closed = apply_closed(h, rp, now)
        events += closed
    h, steps = cascade(h, rp, now)
    for s in steps:
        events.append(ev.HandoffEscalated(
            conversation_id=h.conversation_id, occurred_at=now, handoff_id=h.id,
            kind=s.kind, from_queue=s.from_queue, to_queue=s.to_queue, priority=s.priority,
            waited_seconds=s.waited_seconds, reason=s.reason))
    return h, events


def due_at(h: Handoff, rp: RoutingPolicy, now: datetime) -> datetime | None:
    """When the sweeper looks again: the cascade, the alert, closing — or the lease."""
    due = next_due(h, rp, now)
    if h.state is HandoffState.CLAIMED and h.lease_until is not None:
        return h.lease_until if due is None else min(due, h.lease_until)
    if h.available_at > now:
        return h.available_at if due is None else min(due, h.available_at)
    return due


def waited(h: Handoff, now: datetime) -> int:
    """Whole seconds the customer has waited for this handoff."""
    return max(int((now - h.waiting_since).total_seconds()), 0)


def envelope(h: Handoff, now: datetime) -> dict[str, Any]:
    """The fields every handoff event starts with."""
    return {"conversation_id": h.conversation_id, "occurred_at": now, "handoff_id": h.id}
