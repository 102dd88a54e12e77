"""A discrete-event simulation of a day of handoffs, on the real router and assigner.

Escalations arrive as a Poisson process whose rate follows the plan hour by hour. Each
one is routed by the policy (`route.route`, `transitions.routed`), deferred or overflowed
when its queue is closed (`transitions.apply_closed`), given a wait estimate from the live
figures of that moment (`domain.routing.eta`), and offered to the person
`transitions.offer_to` picks (`queueing.choose_agent`), leased as `transitions.offered`;
people who free up take `queueing.next_for` (the filter of the service's `claim_next`
over `queueing.queues_for`); waiting handoffs are looked at again when
`transitions.due_at` says and stepped by `transitions.step` (closing, the cascade, the
alert). These are the functions the service applies in production
(service/handlers/routing.py, the sweeper); the simulation reads what happened from the
events they return. Handle times and customers' patience are log-normal. The clock runs
until every handoff is served or abandoned, so an evening handoff deferred to the next
morning is served by the same shifts on day two (no new arrivals then).

Deterministic: everything random comes from one `random.Random(plan.seed)`, and events
at the same instant run in the order they were scheduled.
"""

from __future__ import annotations

import heapq
import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from warmline.domain import events as ev
from warmline.domain.policy import Policy
from warmline.domain.routing.eta import (
    WaitEstimate,
    estimate_wait,
    mean_handle,
    shared_queues,
    staffing,
    with_cascade,
)
from warmline.domain.routing.queueing import (
    Handoff,
    HandoffState,
    HumanAgent,
    Presence,
    need_language,
    next_for,
)
from warmline.domain.routing.route import RoutingInput, route
from warmline.domain.routing.transitions import (
    apply_closed,
    due_at,
    offer_to,
    offered,
    routed,
    step,
)
from warmline.simulation.plan import Plan

DAY = 86400.0
_TRIGGERS = {"complaint": "negative_emotion", "cancellation": "money_risk",
             "chargeback": "money_risk", "refund_request": "money_risk",
             "return": "policy_edge", "address_change": "policy_edge",
             "product": "low_confidence", "other": "human_request"}


@dataclass
class Story:
    """What happened to one handoff."""

    id: str
    lane: str  # the queue the router chose
    rule: str
    fallback: bool
    priority: int
    arrived: float  # seconds since the plan day's midnight
    sla_seconds: int
    eta: int | None = None
    offered: float | None = None
    accepted: float | None = None
    abandoned: float | None = None
    deferred: str | None = None  # next_open | callback
    final_queue: str = ""
    overflowed: bool = False
    alerted: bool = False
    escalations: int = 0

    @property
    def wait(self) -> float | None:
        return None if self.accepted is None else self.accepted - self.arrived


class Simulation:
    def __init__(self, plan: Plan, policy: Policy,
                 progress: Callable[[float], None] | None = None) -> None:
        self.plan, self.policy, self.rp = plan, policy, policy.routing
        self.rng = random.Random(plan.seed)
        self.progress = progress or (lambda _t: None)
        self.tz = ZoneInfo(plan.timezone)
        self.midnight = datetime.combine(plan.day, datetime.min.time(), self.tz)
        self.t = 0.0
        self.heap: list[tuple[float, int, str, str]] = []
        self.seq = 0
        self.agents: dict[str, HumanAgent] = {}
        self.load: dict[str, int] = {}
        self.waiting: dict[str, Handoff] = {}
        self.stories: dict[str, Story] = {}
        self.items: dict[str, RoutingInput] = {}
        self.busy: dict[str, tuple[str, str, float]] = {}  # handoff -> agent, queue, handle
        self.handled: dict[str, deque[float]] = {q: deque(maxlen=self.rp.recent_handoffs)
                                                 for q in self.rp.queues}

    # -- the clock -------------------------------------------------------------------
    def now(self) -> datetime:
        return self.midnight + timedelta(seconds=self.t)

    def at(self, moment: datetime) -> float:
        return (moment - self.midnight).total_seconds()

    def push(self, t: float, kind: str, key: str) -> None:
        self.seq += 1
        heapq.heappush(self.heap, (max(t, self.t), self.seq, kind, key))

    def run(self) -> list[Story]:
        self._schedule_arrivals()
        self._schedule_shifts()
        handlers = {"arrive": self._arrive, "accept": self._accept, "done": self._done,
                    "abandon": self._abandon, "due": self._due, "available": self._offer_new,
                    "on": self._shift_on, "off": self._shift_off}
        while self.heap and self.t < 3 * DAY:
            self.t, _, kind, key = heapq.heappop(self.heap)
            handlers[kind](key)
            self.progress(self.t)
        return list(self.stories.values())

    # -- set-up ----------------------------------------------------------------------
    def _schedule_arrivals(self) -> None:
        n = 0
        for hour, rate in sorted(self.plan.arrivals.items()):
            if rate <= 0:
                continue
            t = hour * 3600.0
            while True:
                t += self.rng.expovariate(rate / 3600.0)
                if t >= (hour + 1) * 3600.0:
                    break
                n += 1
                key = f"h{n:05d}"
                self.items[key] = self._draw_item()
                self.push(t, "arrive", key)

    def _schedule_shifts(self) -> None:
        for staff in self.plan.staff:
            for i in range(staff.count):
                aid = f"{staff.name}-{i + 1}" if staff.count > 1 else staff.name
                self.agents[aid] = HumanAgent(aid, aid, staff.skills, staff.languages,
                                              staff.capacity)
                self.load[aid] = 0
                for day in (0, 1):
                    base = day * DAY
                    self.push(base + staff.start.hour * 3600 + staff.start.minute * 60,
                              "on", aid)
                    self.push(base + staff.end.hour * 3600 + staff.end.minute * 60,
                              "off", aid)

    def _pick(self, shares: dict[str, float]) -> str:
        r, acc = self.rng.random(), 0.0
        for name, share in shares.items():
            acc += share
            if r < acc:
                return name
        return next(reversed(shares))

    def _draw_item(self) -> RoutingInput:
        p = self.plan
        topic = self._pick(p.topics)
        vip = self.rng.random() < p.vip_share
        high = not vip and self.rng.random() < p.high_value_share
        value = 3000.0 if high else self.rng.uniform(40, 1500)
        return RoutingInput(
            channel="web",
            topics=frozenset() if topic in ("product", "other") else frozenset({topic}),
            product_line=self._pick(p.product_lines) if topic == "product" else None,
            triggers=frozenset({self._pick(p.triggers) if p.triggers else _TRIGGERS[topic]}),
            sentiment=-0.7 if topic == "complaint" else None, customer_value=value,
            customer_tags=frozenset({"vip"}) if vip else frozenset(),
            language=self._pick(p.languages))

    def _minutes(self, median_mu: float, sigma: float) -> float:
        return self.rng.lognormvariate(median_mu, sigma) * 60.0

    # -- events ----------------------------------------------------------------------
    def _arrive(self, key: str) -> None:
        now, item = self.now(), self.items.pop(key)
        decision = route(self.policy, item, now)
        h = routed(key, key, decision, item.language, self.rp, now)
        story = Story(key, decision.queue, decision.rule, decision.fallback,
                      decision.priority, self.t, self.rp.queues[decision.queue].sla_seconds)
        self.stories[key] = story
        h, events = apply_closed(h, self.rp, now)
        _tell(story, events)
        self.waiting[key] = h
        story.eta = self._estimate(h)
        if h.available_at > now:
            self.push(self.at(h.available_at), "available", key)
        else:
            self._offer_new(key)
        if story.deferred is None:
            patience = self._minutes(self.plan.patience.mu, self.plan.patience.sigma)
            self.push(self.t + patience, "abandon", key)
        self._schedule_due(h)

    def _estimate(self, h: Handoff) -> int | None:
        """The estimate the live service would give now (same functions, sim figures)."""
        now = self.now()
        loads = [(a, self.load[a.id]) for a in self.agents.values()]
        opens = h.available_at if h.available_at > now else None

        def estimate_in(queue: str) -> WaitEstimate:
            language = need_language(self.rp.queues[queue], h.language)
            handle = mean_handle(self.handled[queue], float(self.rp.default_handle_seconds))
            staff = staffing(loads, queue, self.rp, language, handle)
            pool = shared_queues(self.agents.values(), queue, self.rp)
            ahead = sum(pool.get(o.queue, 0.0) for o in self.waiting.values()
                        if o.id != h.id and o.state is HandoffState.QUEUED
                        and o.available_at <= h.available_at and o.order_key < h.order_key)
            return estimate_wait(staff, round(ahead), now, opens)

        return with_cascade(h.queue, estimate_in, self.rp).seconds

    def _offer_new(self, key: str) -> None:
        h = self.waiting.get(key)
        if h is None:
            return
        loads = [(a, self.load[a.id]) for a in self.agents.values()]
        agent = offer_to(h, loads, self.rp, self.now())
        if agent is not None:
            self._offer(h, agent)

    def _offer(self, h: Handoff, agent: HumanAgent) -> None:
        now = self.now()
        self.load[agent.id] += 1
        self.agents[agent.id] = replace(agent, last_assigned_at=now)
        self.waiting[h.id] = offered(h, agent.id, self.rp, now)
        self.stories[h.id].offered = self.t
        self.push(self.t + self.plan.accept_seconds, "accept", h.id)

    def _accept(self, key: str) -> None:
        h = self.waiting.pop(key)
        story = self.stories[key]
        story.accepted, story.final_queue = self.t, h.queue
        handle = self._minutes(self.plan.handle.mu, self.plan.handle.sigma)
        self.busy[key] = (h.agent_id or "", h.queue, handle)
        self.push(self.t + handle, "done", key)

    def _done(self, key: str) -> None:
        agent_id, queue, handle = self.busy.pop(key)
        self.load[agent_id] -= 1
        self.handled[queue].append(handle)
        self._fill(agent_id)

    def _fill(self, agent_id: str) -> None:
        while True:
            agent = self.agents[agent_id]
            if agent.presence is not Presence.ONLINE or self.load[agent_id] >= agent.capacity:
                return
            h = next_for(agent, self.waiting.values(), self.rp, self.now())
            if h is None:
                return
            self._offer(h, agent)

    def _abandon(self, key: str) -> None:
        h = self.waiting.get(key)
        if h is not None and h.state is HandoffState.QUEUED:
            del self.waiting[key]
            self.stories[key].abandoned = self.t
            self.stories[key].final_queue = h.queue

    def _due(self, key: str) -> None:
        h = self.waiting.get(key)
        if h is None or h.state is not HandoffState.QUEUED:
            return
        now = self.now()
        h, events = step(h, self.rp, now)
        stepped = _tell(self.stories[key], events)
        if h.available_at > now and any(isinstance(e, ev.HandoffDeferred) for e in events):
            self.push(self.at(h.available_at), "available", key)
        self.waiting[key] = h
        if stepped:
            self._offer_new(key)
        self._schedule_due(self.waiting.get(key))

    def _schedule_due(self, h: Handoff | None) -> None:
        if h is None or h.state is not HandoffState.QUEUED:
            return
        due = due_at(h, self.rp, self.now())
        if due is not None:
            self.push(max(self.at(due), self.t + 1), "due", h.id)

    def _shift_on(self, agent_id: str) -> None:
        self.agents[agent_id] = replace(self.agents[agent_id], presence=Presence.ONLINE,
                                        presence_since=self.now())
        self._fill(agent_id)

    def _shift_off(self, agent_id: str) -> None:
        self.agents[agent_id] = replace(self.agents[agent_id], presence=Presence.OFFLINE)


def _tell(story: Story, events: list[ev.Event]) -> bool:
    """Mark on the story what a transition did; True when the cascade stepped or alerted."""
    stepped = False
    for e in events:
        if isinstance(e, ev.HandoffDeferred):
            story.deferred = e.action
        elif isinstance(e, ev.HandoffEscalated) and e.kind == "closed":
            story.overflowed = True  # out of hours, to the queue's out-of-hours queue
        elif isinstance(e, ev.HandoffEscalated):  # the cascade: priority, overflow, alert
            stepped = True
            story.escalations += e.kind != "alert"
            story.overflowed |= e.kind == "overflow"
            story.alerted |= e.kind == "alert"
    return stepped


def simulate(plan: Plan, policy: Policy,
             progress: Callable[[float], None] | None = None) -> list[Story]:
    return Simulation(plan, policy, progress).run()
