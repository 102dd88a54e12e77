"""Queues and people: handoff state, who may take what, who gets it, and the cascade.

Pure values and functions shared by the service (over a database) and the simulation
(over a heap of events), so both route, assign and escalate with the same code.

Assignment: among the agents who are online, have a free slot and may take the queue
(every skill it asks, the customer's language when the queue serves it), the one with
the **lowest share of their capacity in use** wins, ties going to the one **idle
longest** (last given work earliest). Least-loaded first because chat agents carry
several conversations: an agent with none should get the next one before an agent
with two of three, however long ago the latter was last given one; longest-idle among
equals spreads the work fairly over the day. Within a queue, higher priority is served
first, and first-come order is kept within a priority (`order_key`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from warmline.domain.routing import hours
from warmline.domain.routing.policy import CLOSED_ACTIONS, QueueSpec, RoutingPolicy

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class HandoffState(StrEnum):
    QUEUED = "queued"  # waiting for a person
    CLAIMED = "claimed"  # leased to one person (a claim or an offer) until confirmed
    ASSIGNED = "assigned"  # confirmed: a person has it
    RESOLVED = "resolved"
    WITHDRAWN = "withdrawn"  # closed before anyone accepted it


OPEN_STATES = (HandoffState.QUEUED, HandoffState.CLAIMED, HandoffState.ASSIGNED)


class Presence(StrEnum):
    ONLINE = "online"
    AWAY = "away"
    OFFLINE = "offline"


@dataclass(frozen=True)
class Handoff:
    """One escalation on its way to (or with) a person; a row of the queue."""

    id: str
    conversation_id: str
    queue: str
    priority: int
    state: HandoffState
    rule: str
    enqueued_at: datetime  # first routed: the first-come order
    queued_at: datetime  # entered the current queue: the cascade counts from here
    waiting_since: datetime  # a person is awaited since (routed, transferred, released)
    available_at: datetime  # not offered before (out of hours)
    language: str | None = None  # the customer's
    need_language: str | None = None  # the language an agent of this queue must speak
    agent_id: str | None = None
    lease_until: datetime | None = None
    step: int = 0  # the next cascade step of the current queue
    alerted: bool = False
    callback: bool = False
    transfers: int = 0
    accepted_at: datetime | None = None
    resolved_at: datetime | None = None

    @property
    def order_key(self) -> tuple[int, datetime, str]:
        return (-self.priority, self.enqueued_at, self.id)

    def claimable(self, now: datetime) -> bool:
        """Waiting and available, or claimed by someone whose lease ran out."""
        if self.available_at > now:
            return False
        return self.state is HandoffState.QUEUED or (
            self.state is HandoffState.CLAIMED and self.lease_until is not None
            and self.lease_until < now)

    def held_by(self, agent_id: str, now: datetime) -> bool:
        return self.agent_id == agent_id and (
            self.state is HandoffState.ASSIGNED
            or (self.state is HandoffState.CLAIMED and self.lease_until is not None
                and self.lease_until >= now))

    def load(self, now: datetime) -> bool:
        """Does it occupy its agent's slot now (accepted, or leased and not expired)?"""
        return self.agent_id is not None and self.held_by(self.agent_id, now)


@dataclass(frozen=True)
class HumanAgent:
    """A person who takes handoffs: what they can do, how much, and whether they are in."""

    id: str
    name: str = ""
    skills: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    capacity: int = 1  # concurrent conversations
    presence: Presence = Presence.OFFLINE
    presence_since: datetime | None = None
    last_assigned_at: datetime | None = None

    @property
    def idle_since(self) -> datetime:
        return self.last_assigned_at or self.presence_since or EPOCH


def need_language(spec: QueueSpec, language: str | None) -> str | None:
    """The language an agent must speak: the customer's, when the queue serves it."""
    return language if language and language in spec.languages else None


def can_take(agent: HumanAgent, spec: QueueSpec, language: str | None) -> bool:
    """Has every skill the queue asks, and speaks the language it must be served in."""
    if not set(spec.skills) <= agent.skills:
        return False
    return language is None or language in agent.languages


def queues_for(agent: HumanAgent, rp: RoutingPolicy) -> list[str]:
    """The queues whose skills the agent has (language is checked per handoff)."""
    return [name for name, spec in rp.queues.items() if set(spec.skills) <= agent.skills]


def choose_agent(candidates: Iterable[tuple[HumanAgent, int]], spec: QueueSpec,
                 language: str | None) -> HumanAgent | None:
    """The agent to offer a handoff to: least loaded, then idle longest; None: it waits."""
    able = [(a, load) for a, load in candidates
            if a.presence is Presence.ONLINE and load < a.capacity
            and can_take(a, spec, language)]
    if not able:
        return None
    return min(able, key=lambda al: (al[1] / al[0].capacity, al[0].idle_since, al[0].id))[0]


def next_for(agent: HumanAgent, waiting: Iterable[Handoff], rp: RoutingPolicy,
             now: datetime) -> Handoff | None:
    """The handoff an agent takes next: highest priority, then first come.

    The same filter as the service's `HandoffRepository.claim_next(agent.id,
    queues_for(agent, rp), agent.languages, ...)`, over handoffs held in memory."""
    queues = queues_for(agent, rp)
    mine = [h for h in waiting if h.claimable(now) and h.queue in queues
            and (h.need_language is None or h.need_language in agent.languages)]
    return min(mine, key=lambda h: h.order_key) if mine else None


@dataclass(frozen=True)
class Escalation:
    """One cascade step applied to a waiting handoff (becomes a HandoffEscalated)."""

    kind: str  # priority | overflow | alert | closed
    from_queue: str
    to_queue: str
    priority: int
    waited_seconds: int
    reason: str


@dataclass(frozen=True)
class Deferral:
    """Out of hours: wait for `until` (next_open) or promise a call-back then."""

    action: str  # next_open | callback
    queue: str
    until: datetime
    reason: str


def _waited(h: Handoff, now: datetime) -> int:
    return max(int((now - h.waiting_since).total_seconds()), 0)


def cascade(h: Handoff, rp: RoutingPolicy,
            now: datetime) -> tuple[Handoff, list[Escalation]]:
    """Apply every cascade step (and the unseen-wait alert) that is due by `now`."""
    done: list[Escalation] = []
    for _ in range(64):  # bounded: validated policies have no overflow cycles
        spec = rp.queues[h.queue]
        if h.step >= len(spec.escalation):
            break
        step = spec.escalation[h.step]
        due = max(h.queued_at, h.available_at) + timedelta(seconds=step.after_seconds)
        if due > now:
            break
        prio = min(100, h.priority + step.raise_priority)
        waited = f"waited {_waited(h, now) // 60} min"
        if step.overflow_to:
            to = step.overflow_to
            done.append(Escalation("overflow", h.queue, to, prio, _waited(h, now),
                                   f"{waited}; {h.queue} step {h.step + 1}: overflow to {to}"))
            h = replace(h, queue=to, priority=prio, step=0, queued_at=due,
                        need_language=need_language(rp.queues[to], h.language))
        else:
            done.append(Escalation("priority", h.queue, h.queue, prio, _waited(h, now),
                                   f"{waited}; {h.queue} step {h.step + 1}: priority "
                                   f"{h.priority} → {prio}"))
            h = replace(h, priority=prio, step=h.step + 1)
    alert_at = max(h.waiting_since, h.available_at) + timedelta(seconds=rp.alert_after_seconds)
    if not h.alerted and alert_at <= now:
        done.append(Escalation("alert", h.queue, h.queue, h.priority, _waited(h, now),
                               f"waiting over {rp.alert_after_seconds // 60} min: flagged "
                               "to supervisors"))
        h = replace(h, alerted=True)
    return h, done


def when_closed(queue: str, rp: RoutingPolicy, now: datetime) -> Deferral | str | None:
    """None when `queue` is open; else the queue to overflow to, or the deferral."""
    first = queue
    for _ in range(len(rp.queues) + 1):
        spec = rp.queues[queue]
        schedule = rp.schedules[spec.hours]
        if hours.is_open(schedule, now):
            return None if queue == first else queue
        if spec.when_closed not in CLOSED_ACTIONS:
            queue = spec.when_closed
            continue
        until = hours.next_open(schedule, now) or now + timedelta(days=365)
        reason = (f"{queue} is closed (hours: {spec.hours}); opens "
                  f"{until.isoformat(timespec='minutes')}")
        return Deferral(spec.when_closed, queue, until, reason)
    raise AssertionError("overflow cycle in a validated policy")


def next_due(h: Handoff, rp: RoutingPolicy, now: datetime) -> datetime | None:
    """When the sweeper must look at this handoff again: a step, the alert, or closing."""
    spec = rp.queues.get(h.queue)
    if spec is None or h.state not in (HandoffState.QUEUED, HandoffState.CLAIMED):
        return None
    start = max(h.queued_at, h.available_at)
    times = []
    if h.step < len(spec.escalation):
        times.append(start + timedelta(seconds=spec.escalation[h.step].after_seconds))
    if not h.alerted:
        times.append(max(h.waiting_since, h.available_at)
                     + timedelta(seconds=rp.alert_after_seconds))
    closing = hours.closes_at(rp.schedules[spec.hours], max(now, h.available_at))
    if closing is not None:
        times.append(closing)
    return min(times) if times else None
