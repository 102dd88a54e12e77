"""Wait estimates: when will a person take this handoff, from live figures.

The model is the one a support lead does in their head, made explicit. The people who
may take the handoff (online, with the skills, speaking the language) have `capacity`
conversation slots, `busy` of them in use. If a slot is free for it once the handoffs
ahead of it are placed, it waits only for the offer. Otherwise slots free up one after
another at a rate of `capacity / handle time` (each slot finishes a conversation every
`handle_seconds` on average, the recent mean of the queue), so being k-th in line after
the free slots means about k × handle / capacity. Handoffs "ahead" are those the same
people would take first: in any queue they also serve, higher priority or the same
priority and earlier, weighted by the share of that queue's capacity they provide. Out
of hours the estimate starts at the opening, with every slot free then (the first
`capacity` in line go at once, each further round costs one handle time); nobody online
who may take it means no estimate (None) rather than a made-up one.

The simulation (`warmline simulate`) measures how far these estimates land from the
waits that actually happen.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from warmline.domain.routing.policy import RoutingPolicy
from warmline.domain.routing.queueing import HumanAgent, Presence, can_take


@dataclass(frozen=True)
class Staffing:
    """The people who may take a handoff, as the estimate sees them."""

    agents_online: int
    capacity: int
    busy: int
    handle_seconds: float

    @property
    def free(self) -> int:
        return max(self.capacity - self.busy, 0)


@dataclass(frozen=True)
class WaitEstimate:
    seconds: int | None  # None: no one online who may take it
    position: int  # 1 = next in line
    basis: str  # the figures it came from, in words

    @property
    def minutes(self) -> int | None:
        """Rounded up, never 0 promised as "now": at least 1 minute."""
        return None if self.seconds is None else max(1, -(-self.seconds // 60))


def staffing(agents: Iterable[tuple[HumanAgent, int]], queue: str, rp: RoutingPolicy,
             language: str | None, handle_seconds: float) -> Staffing:
    """Who is online and may take from `queue` in `language`, and how busy they are."""
    spec = rp.queues[queue]
    able = [(a, load) for a, load in agents
            if a.presence is Presence.ONLINE and can_take(a, spec, language)]
    return Staffing(len(able), sum(a.capacity for a, _ in able),
                    sum(min(load, a.capacity) for a, load in able), handle_seconds)


def shared_queues(agents: Iterable[HumanAgent], queue: str,
                  rp: RoutingPolicy) -> dict[str, float]:
    """Queues whose work competes with `queue`'s, each with the share of its online
    capacity that comes from the people who also serve `queue` (1.0 for `queue`).

    A handoff waiting in such a queue ahead of ours takes one of our people's slots
    with that probability: the general queue, served by everyone, weighs little on the
    priority lane's seniors; a queue they alone serve weighs fully."""
    online = [a for a in agents if a.presence is Presence.ONLINE]
    ours = {a.id for a in online if can_take(a, rp.queues[queue], None)}
    out: dict[str, float] = {queue: 1.0}
    for name, spec in rp.queues.items():
        able = [a for a in online if can_take(a, spec, None)]
        total = sum(a.capacity for a in able)
        shared = sum(a.capacity for a in able if a.id in ours)
        if name != queue and shared:
            out[name] = shared / total
    return out


def estimate_wait(s: Staffing, ahead: int, now: datetime,
                  opens_at: datetime | None = None) -> WaitEstimate:
    """Seconds until a person takes a handoff with `ahead` handoffs before it."""
    position = ahead + 1
    lead = max((opens_at - now).total_seconds(), 0.0) if opens_at else 0.0
    opening = f"opens in {lead / 60:.0f} min; " if lead else ""
    if s.capacity == 0:
        if lead:
            return WaitEstimate(int(lead), position, f"{opening}{ahead} ahead; staffing at "
                                "the opening unknown")
        return WaitEstimate(None, position, "nobody online who may take it")
    basis = (f"{opening}{ahead} ahead; {s.agents_online} online with {s.capacity} slots, "
             f"{s.busy} busy; recent handle time {s.handle_seconds / 60:.1f} min")
    if lead:  # at the opening every slot starts free: the first `capacity` go at once
        return WaitEstimate(int(lead + ahead // s.capacity * s.handle_seconds), position,
                            basis)
    if ahead < s.free:
        return WaitEstimate(0, position, basis)
    waits = (ahead - s.free + 1) * s.handle_seconds / s.capacity
    return WaitEstimate(int(waits), position, basis)


def with_cascade(queue: str, estimate_in: Callable[[str], WaitEstimate],
                 rp: RoutingPolicy, elapsed: float = 0.0) -> WaitEstimate:
    """The estimate in `queue`, capped by its cascade: a handoff that would wait past the
    overflow step is taken in the overflow queue instead, so the promise is the sooner.

    `elapsed` is how long the handoff has been in `queue` already (0 at routing)."""
    here = estimate_in(queue)
    for _ in range(len(rp.queues)):
        step = next((s for s in rp.queues[queue].escalation if s.overflow_to), None)
        if step is None:
            return here
        left = max(step.after_seconds - elapsed, 0.0)
        if here.seconds is not None and here.seconds <= left:
            return here
        there = estimate_in(step.overflow_to)
        if there.seconds is None:
            return here
        seconds = int(left + there.seconds)
        if here.seconds is not None and here.seconds <= seconds:
            return here
        capped = WaitEstimate(seconds, here.position,
                              f"{here.basis}; overflows to {step.overflow_to} after "
                              f"{left / 60:.0f} min, where {there.basis}")
        here, queue, elapsed = capped, step.overflow_to, 0.0
    return here


def mean_handle(samples: Iterable[float], default: float) -> float:
    """The mean of recent handle times, or the policy default when there are none."""
    values = [v for v in samples if v > 0]
    return sum(values) / len(values) if values else default

