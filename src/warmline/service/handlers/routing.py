"""Routing in the service layer: the steps handlers share, inside their unit of work.

`route_escalation` runs in the same unit of work as the decision that escalated: it
builds the routing input, routes by the policy, applies the out-of-hours rule, estimates
the wait, enqueues the handoff and offers it to the best available person — so the
customer's handoff is queued exactly when the escalation is recorded, never apart.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime

from warmline.domain import events as ev
from warmline.domain.record.facts import CustomerFacts
from warmline.domain.routing.eta import (
    WaitEstimate,
    estimate_wait,
    mean_handle,
    shared_queues,
    staffing,
    with_cascade,
)
from warmline.domain.routing.policy import RoutingPolicy
from warmline.domain.routing.queueing import (
    Handoff,
    HandoffState,
    HumanAgent,
    Presence,
    need_language,
    queues_for,
)
from warmline.domain.routing.route import route, routing_input
from warmline.domain.routing.transitions import (
    apply_closed,
    due_at,
    envelope,
    lease_until,
    offer_to,
    offered,
    routed,
)
from warmline.ports import UnitOfWork
from warmline.service.unit import Appender, Dependencies


def route_escalation(uow: UnitOfWork, deps: Dependencies, app: Appender, turn: int,
                     record: CustomerFacts | None) -> Handoff:
    """Route the conversation's new escalation and queue it; events go to `app`."""
    policy, now = deps.policy(), deps.clock.now()
    rp = policy.routing
    item = routing_input(app.conv, record)
    decision = route(policy, item, now)
    handoff = routed(uuid.uuid4().hex, app.conv.id, decision, item.language, rp, now)
    handoff, closed = apply_closed(handoff, rp, now)
    eta = wait_estimate(uow, rp, handoff, now)
    app.add(ev.HandoffRouted(conversation_id=app.conv.id, occurred_at=now,
                             handoff_id=handoff.id, turn=turn, queue=decision.queue,
                             priority=decision.priority, rule=decision.rule,
                             reason=decision.reason, fallback=decision.fallback,
                             language=item.language, policy_version=decision.policy_version,
                             eta_seconds=eta.seconds))
    for event in closed:
        app.add(event)
    kind = "routed"
    if rp.auto_offer:
        offered = offer(uow, rp, handoff, now)
        kind = "offered" if offered is not handoff else kind
        handoff = offered
    uow.handoffs.add(handoff, due_at(handoff, rp, now), kind)
    return handoff


class LiveFigures:
    """People, their loads and recent handle times, read once per request and reused."""

    def __init__(self, uow: UnitOfWork, rp: RoutingPolicy, now: datetime) -> None:
        self.uow, self.rp, self.now = uow, rp, now
        self.agents = uow.agents.all()
        self.loads = uow.handoffs.loads(now)
        self._handle: dict[str, float] = {}

    @property
    def pairs(self) -> list[tuple[HumanAgent, int]]:
        return [(a, self.loads.get(a.id, 0)) for a in self.agents]

    def handle(self, queue: str) -> float:
        if queue not in self._handle:
            samples = self.uow.handoffs.handle_seconds(queue, self.rp.recent_handoffs)
            self._handle[queue] = mean_handle(samples, float(self.rp.default_handle_seconds))
        return self._handle[queue]


def wait_estimate(uow: UnitOfWork, rp: RoutingPolicy, h: Handoff, now: datetime,
                  live: LiveFigures | None = None) -> WaitEstimate:
    """The ETA from live figures (domain/routing/eta.py), capped by the queue's cascade."""
    live = live or LiveFigures(uow, rp, now)
    opens = h.available_at if h.available_at > now else None
    elapsed = max((now - max(h.queued_at, h.available_at)).total_seconds(), 0.0)

    def estimate_in(queue: str) -> WaitEstimate:
        language = need_language(rp.queues[queue], h.language)
        weights = shared_queues(live.agents, queue, rp)
        counts = uow.handoffs.ahead(h, sorted(weights), now)
        ahead = round(sum(weights[q] * n for q, n in counts.items()))
        s = staffing(live.pairs, queue, rp, language, live.handle(queue))
        return estimate_wait(s, ahead, now, opens)

    return with_cascade(h.queue, estimate_in, rp, elapsed)


def offer(uow: UnitOfWork, rp: RoutingPolicy, h: Handoff, now: datetime,
          exclude: str | None = None) -> Handoff:
    """Lease `h` to the best available person (least loaded, then idle longest).

    The choice is the domain's (`offer_to`, as in the simulation); here the chosen
    person's row is locked and their load counted again under the lock, so two handoffs
    routed at once cannot both take someone's last free slot."""
    if not h.claimable(now):
        return h
    loads = uow.handoffs.loads(now)
    people = [(a, loads.get(a.id, 0)) for a in uow.agents.all() if a.id != exclude]
    chosen = offer_to(h, people, rp, now)
    if chosen is None:
        return h
    locked = uow.agents.get(chosen.id, lock=True)
    if locked is None or uow.handoffs.loads(now, chosen.id).get(chosen.id, 0) >= \
            locked.capacity:
        return h
    uow.agents.save(replace(locked, last_assigned_at=now))
    return offered(h, chosen.id, rp, now)


def fill(uow: UnitOfWork, rp: RoutingPolicy, agent: HumanAgent, now: datetime) -> int:
    """Offer a person who has free slots the next handoffs they may take."""
    if not rp.auto_offer or agent.presence is not Presence.ONLINE:
        return 0
    free = agent.capacity - uow.handoffs.loads(now, agent.id).get(agent.id, 0)
    made = 0
    for _ in range(max(free, 0)):  # the storage twin of queueing.next_for
        got = uow.handoffs.claim_next(agent.id, queues_for(agent, rp), sorted(agent.languages),
                                      now, lease_until(rp, now))
        if got is None:
            break
        made += 1
    if made:
        uow.agents.save(replace(agent, last_assigned_at=now))
    return made


def close_open_handoff(uow: UnitOfWork, app: Appender, by: str, reason: str,
                       now: datetime) -> None:
    """The thread went back to the bot: its open handoff is withdrawn (or resolved, if a
    person had accepted it). Events go to `app`, which the caller appends."""
    h = uow.handoffs.open_for(app.conv.id, lock=True)
    if h is None:
        return
    if h.state is HandoffState.ASSIGNED:
        app.add(ev.HandoffResolved(**envelope(h, now), by=by, queue=h.queue,
                                   outcome=reason or "handed back", hand_back=False))
        uow.handoffs.save(replace(h, state=HandoffState.RESOLVED, resolved_at=now), None,
                          "resolved")
        return
    app.add(ev.HandoffWithdrawn(**envelope(h, now), queue=h.queue,
                                reason=reason or "handed back to the bot"))
    uow.handoffs.save(replace(h, state=HandoffState.WITHDRAWN, agent_id=None,
                              lease_until=None), None, "withdrawn")
