"""Read side of the queue view: the lanes a person may take from, each with its cards.

No writes here. A lane is one queue; the lane the highest-priority routing rule feeds
(the priority lane) comes first, the fallback queue last. Each lane lists at most
`per_lane` waiting handoffs in claim order, with the lane's full counts beside them:
the page must render in well under a second with a thousand waiting (bench/
console_render.py), and nobody reads past the first screenful of one lane.

A card needs facts from the conversation (trigger badges, the customer's name and
value) that never change for a given handoff: they come from its escalation's context
package. They are cached by handoff id, so a re-render after a live update reads only
the queue rows and the cards it has not seen yet.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from warmline.domain import events as ev
from warmline.domain.formats import money
from warmline.domain.policy import Policy
from warmline.domain.routing.queueing import Handoff, HandoffState
from warmline.ports import QueueCounts, UnitOfWork

#: Share of the SLA after which a waiting card turns amber.
SLA_WARN = 0.75


@dataclass(frozen=True)
class CardFacts:
    """What a card shows about the conversation behind a handoff (fixed per handoff)."""

    triggers: tuple[str, ...] = ()
    customer: str = ""
    value: str = ""
    vip: bool = False
    wants: str = ""


class CardCache:
    """Handoff id → CardFacts, bounded, shared by the requests of one app."""

    def __init__(self, size: int = 5000) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._items: OrderedDict[str, CardFacts] = OrderedDict()

    def get(self, uow: UnitOfWork, h: Handoff) -> CardFacts:
        with self._lock:
            found = self._items.get(h.id)
        if found is not None:
            return found
        facts = card_facts(uow.conversations.load(h.conversation_id), h.id)
        with self._lock:
            self._items[h.id] = facts
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return facts


def card_facts(events: list[ev.Event], handoff_id: str) -> CardFacts:
    """Triggers of the escalation that made the handoff, and who the customer is."""
    routed = next((e for e in events if isinstance(e, ev.HandoffRouted)
                   and e.handoff_id == handoff_id), None)
    turn = routed.turn if routed else None
    escalation = next((e for e in reversed(events) if isinstance(e, ev.EscalationTriggered)
                       and (turn is None or e.turn == turn)), None)
    package = next((e.package for e in reversed(events) if isinstance(e, ev.ContextPackaged)
                    and (turn is None or e.turn == turn)), None)
    triggers = tuple(dict.fromkeys(h.kind for h in escalation.hits)) if escalation else ()
    if not package:
        return CardFacts(triggers)
    record = package.get("record") or {}
    customer = record.get("customer") or {}
    tags = [str(t).lower() for t in customer.get("tags", ())]
    value = customer.get("lifetime_value")
    return CardFacts(
        triggers, str(package.get("customer_name") or customer.get("ref") or ""),
        money(float(value), customer.get("currency")) if value is not None else "",
        "vip" in tags, str((package.get("summary") or {}).get("wants", "")))


def lane_order(policy: Policy, allowed: frozenset[str] | None) -> list[str]:
    """The person's queues, the priority lane first (highest rule priority), fallback last."""
    rp = policy.routing
    top: dict[str, int] = {}
    for rule in rp.rules:
        top[rule.queue] = max(top.get(rule.queue, 0), rule.priority)
    names = [q for q in rp.queues if allowed is None or q in allowed]
    return sorted(names, key=lambda q: (rp.queues[q].fallback, -top.get(q, 0),
                                        list(rp.queues).index(q)))


def sla_state(waited: int, sla: int) -> str:
    """ok, near (past 75% of the target) or breached."""
    if waited > sla:
        return "breached"
    return "near" if waited >= SLA_WARN * sla else "ok"


def waited_text(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m {seconds % 60:02d}s"
    return f"{seconds // 3600}h {seconds % 3600 // 60:02d}m"


def card(h: Handoff, facts: CardFacts, sla: int, now: datetime) -> dict[str, Any]:
    waited = max(int((now - h.waiting_since).total_seconds()), 0)
    return {"id": h.id, "conversation_id": h.conversation_id, "queue": h.queue,
            "priority": h.priority, "state": h.state.value, "agent_id": h.agent_id,
            "waited": waited, "waited_text": waited_text(waited),
            "sla": sla_state(waited, sla), "sla_text": waited_text(sla),
            "claimable": h.claimable(now), "transfers": h.transfers,
            "callback": h.callback, "language": h.language, "facts": facts}


def board(uow: UnitOfWork, policy: Policy, cache: CardCache, allowed: frozenset[str] | None,
          agent_id: str | None, now: datetime, per_lane: int = 50) -> dict[str, Any]:
    """Lanes with counts and their first `per_lane` waiting cards, and what I hold."""
    rp = policy.routing
    with uow:
        counts = uow.handoffs.counts(now)
        lanes: list[dict[str, Any]] = []
        total = 0
        for name in lane_order(policy, allowed):
            spec = rp.queues[name]
            c = counts.get(name, QueueCounts())
            total += c.waiting
            rows = [h for h in uow.handoffs.waiting(name, now, per_lane)
                    if h.state is not HandoffState.ASSIGNED]
            lanes.append({
                "name": name, "description": spec.description, "sla": spec.sla_seconds,
                "sla_text": waited_text(spec.sla_seconds), "fallback": spec.fallback,
                "counts": c, "shown": len(rows),
                "cards": [card(h, cache.get(uow, h), spec.sla_seconds, now) for h in rows]})
        mine = []
        if agent_id is not None:
            for h in uow.handoffs.held(agent_id, now):
                sla = rp.queues[h.queue].sla_seconds if h.queue in rp.queues else 300
                mine.append(card(h, cache.get(uow, h), sla, now))
    return {"lanes": lanes, "mine": mine,
            "waiting": total}
