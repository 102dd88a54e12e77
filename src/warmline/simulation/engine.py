"""A discrete-event simulation of a day of handoffs, on the real router and assigner.

Escalations arrive as a Poisson process whose rate follows the plan hour by hour. Each
one is routed by the policy (`domain.routing.route`), deferred or overflowed when its
queue is closed (`queueing.when_closed`), given a wait estimate from the live figures
of that moment (`domain.eta`), and offered to the agent `queueing.choose_agent` picks;
agents who free up take `queueing.next_for`; waiting handoffs climb the cascade
(`queueing.cascade`). Handle times and customers' patience are log-normal. The clock
runs until every handoff is served or abandoned, so an evening handoff deferred to the
next morning is served by the same shifts on day two (no new arrivals then).

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
    Deferral,
    Handoff,
    HandoffState,
    HumanAgent,
    Presence,
    cascade,
    choose_agent,
    need_language,
    next_due,
    next_for,
    when_closed,
)
from warmline.domain.routing.route import RoutingInput, route
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
        spec = self.rp.queues[decision.queue]
        h = Handoff(key, key, decision.queue, decision.priority, HandoffState.QUEUED,
                    decision.rule, now, now, now, now, item.language,
                    need_language(spec, item.language))
        story = Story(key, decision.queue, decision.rule, decision.fallback,
                      decision.priority, self.t, spec.sla_seconds)
        self.stories[key] = story
        h = self._apply_closed(h, story)
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

    def _apply_closed(self, h: Handoff, story: Story) -> Handoff:
        outcome = when_closed(h.queue, self.rp, self.now())
        if isinstance(outcome, str):
            story.overflowed = True
            return replace(h, queue=outcome, queued_at=self.now(), step=0,
                           need_language=need_language(self.rp.queues[outcome], h.language))
        if isinstance(outcome, Deferral):
            story.deferred = outcome.action
            boost = self.rp.callback_priority_boost if outcome.action == "callback" else 0
            return replace(h, queue=outcome.queue, available_at=outcome.until,
                           callback=outcome.action == "callback",
                           priority=min(100, h.priority + boost))
        return h

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
        if h is None or not h.claimable(self.now()):
            return
        loads = [(a, self.load[a.id]) for a in self.agents.values()]
        agent = choose_agent(loads, self.rp.queues[h.queue], h.need_language)
        if agent is not None:
            self._offer(h, agent)

    def _offer(self, h: Handoff, agent: HumanAgent) -> None:
        now = self.now()
        self.load[agent.id] += 1
        self.agents[agent.id] = replace(agent, last_assigned_at=now)
        self.waiting[h.id] = replace(h, state=HandoffState.CLAIMED, agent_id=agent.id,
                                     lease_until=now + timedelta(
                                         seconds=self.rp.offer_seconds))
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
        story, now = self.stories[key], self.now()
        if h.available_at <= now and when_closed(h.queue, self.rp, now) is not None:
            h = self._apply_closed(h, story)
            if h.available_at > now:
                self.push(self.at(h.available_at), "available", key)
        h, steps = cascade(h, self.rp, now)
        story.escalations += sum(1 for s in steps if s.kind != "alert")
        story.overflowed |= any(s.kind == "overflow" for s in steps)
        story.alerted |= any(s.kind == "alert" for s in steps)
        self.waiting[key] = h
        if steps:
            self._offer_new(key)
        self._schedule_due(self.waiting.get(key))

    def _schedule_due(self, h: Handoff | None) -> None:
        if h is None or h.state is not HandoffState.QUEUED:
            return
        due = next_due(h, self.rp, self.now())
        if due is not None:
            self.push(max(self.at(due), self.t + 1), "due", h.id)

    def _shift_on(self, agent_id: str) -> None:
        self.agents[agent_id] = replace(self.agents[agent_id], presence=Presence.ONLINE,
                                        presence_since=self.now())
        self._fill(agent_id)

    def _shift_off(self, agent_id: str) -> None:
        self.agents[agent_id] = replace(self.agents[agent_id], presence=Presence.OFFLINE)


def simulate(plan: Plan, policy: Policy,
             progress: Callable[[float], None] | None = None) -> list[Story]:
    return Simulation(plan, policy, progress).run()
