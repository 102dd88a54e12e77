"""Pure transitions of one handoff over time: out of hours, the cascade, the next look.

The service layer applies them inside a unit of work (service/handlers/routing.py and the
sweep), and the staffing simulation (simulation/engine.py) applies the very same functions
to its simulated queue, so a plan is judged by the rules that run in production.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from warmline.domain import events as ev
from warmline.domain.routing.policy import RoutingPolicy
from warmline.domain.routing.queueing import (
    Deferral,
    Handoff,
    HandoffState,
    cascade,
    need_language,
    next_due,
    when_closed,
)


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
