"""Did the seam hold? Metrics derived from conversations' event logs (docs/metrics.md).

Everything here is read from the events alone, so the figures can be recomputed at any
time, for any period, and checked by hand against a transcript. Events are matched by
their type *name* and read with `getattr`, never by importing their classes: event types
added later (CSAT answers, seam-leak detections) light up here without a change, and
only the two small extractors (`csat_answers`, `seam_leaks`) know their field names.

Nothing here returns a customer's identity: results are keyed by handoff id, queue, lane,
channel, trigger and reason only, so they can go into dashboards and metric labels.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

#: Event type names the CSAT and seam-leak extractors read (the events may not exist yet).
CSAT_ANSWERED = frozenset({"CsatReceived", "CsatAnswered"})
SEAM_LEAKS = frozenset({"SeamLeakDetected", "SeamLeak"})
#: A CSAT score at or below this (on 1..5) is "low": such handoffs are sampled for review.
LOW_CSAT = 2
#: Compound sentiment (-1..1) of the final customer turn at or below which it ended badly.
NEGATIVE_END = -0.5
#: The agent's self-reported confidence below which its last reply counts as a miss.
LOW_CONFIDENCE = 0.5


def _name(event: Any) -> str:
    return type(event).__name__


@dataclass(frozen=True)
class HandoffFacts:
    """One handoff as the metrics see it: where it went, why, and what happened next."""

    handoff_id: str
    conversation_id: str
    channel: str
    routed_at: datetime
    queue: str
    lane: str  # the routing rule that matched ("fallback" when none did)
    fallback: bool
    triggers: tuple[str, ...]
    route: str | None  # the assessed route of the last customer turn before the handoff
    first_human_at: datetime | None = None
    transfers: int = 0
    resolved_at: datetime | None = None
    withdrawn: bool = False

    @property
    def time_to_human(self) -> float | None:
        """Seconds from routing to the first human message, None when none came."""
        if self.first_human_at is None:
            return None
        return (self.first_human_at - self.routed_at).total_seconds()


@dataclass(frozen=True)
class CsatAnswer:
    handoff_id: str
    score: float
    at: datetime


@dataclass(frozen=True)
class SeamLeak:
    handoff_id: str
    kind: str  # who:item, e.g. "customer:order_number" (restated) or "human:problem" (asked)
    at: datetime


def _channel(events: Sequence[Any]) -> str:
    for e in events:
        if _name(e) in ("ConversationStarted", "MessageReceived"):
            return str(getattr(e, "channel", "unknown"))
    return "unknown"


def customer_of(events: Sequence[Any]) -> str | None:
    """The customer reference, used only to find a customer's later conversations."""
    for e in events:
        ref = getattr(e, "customer_ref", None)
        if ref:
            return str(ref)
    return None


def extract_handoffs(conversation_id: str, events: Sequence[Any]) -> list[HandoffFacts]:
    """Every handoff in one conversation's log, in order (a conversation can have several).

    A handoff's window runs from its `HandoffRouted` to the next one: the first
    `HumanReplied` inside it ends time-to-human. Its triggers are those of the latest
    `EscalationTriggered` at or before routing; its route the latest assessed one.
    """
    channel = _channel(events)
    found: dict[str, dict[str, Any]] = {}
    order: list[str] = []
    current: str | None = None
    triggers: tuple[str, ...] = ()
    route: str | None = None
    for e in events:
        name = _name(e)
        hid: str = getattr(e, "handoff_id", "")
        if name == "EscalationTriggered":
            triggers = tuple(dict.fromkeys(h.kind for h in e.hits))
        elif name == "DecisionMade" and getattr(e, "assessment", None) is not None:
            route = e.assessment.route
        elif name == "HandoffRouted" and hid not in found:
            found[hid] = dict(handoff_id=hid, conversation_id=conversation_id, channel=channel,
                              routed_at=e.occurred_at, queue=e.queue, lane=e.rule,
                              fallback=bool(e.fallback), triggers=triggers, route=route)
            order.append(hid)
            current = hid
        elif name == "HumanReplied" and current is not None:
            found[current].setdefault("first_human_at", e.occurred_at)
        elif name == "HandoffTransferred" and hid in found:
            found[hid]["transfers"] = found[hid].get("transfers", 0) + 1
        elif name == "HandoffResolved" and hid in found:
            found[hid]["resolved_at"] = e.occurred_at
        elif name == "HandoffWithdrawn" and hid in found:
            found[hid]["withdrawn"] = True
    return [HandoffFacts(**found[h]) for h in order]


def _owner(events: Sequence[Any], at: datetime, explicit: str | None) -> str | None:
    """The handoff an answer belongs to: named on the event, else the latest before it."""
    if explicit:
        return explicit
    owner = None
    for e in events:
        if e.occurred_at > at:
            break
        if _name(e) == "HandoffRouted":
            owner = e.handoff_id
    return owner


def csat_answers(events: Sequence[Any]) -> list[CsatAnswer]:
    """CSAT answers in one log: the one place that knows the CSAT event's fields."""
    out = []
    for e in events:
        if _name(e) not in CSAT_ANSWERED:
            continue
        score = getattr(e, "score", getattr(e, "rating", None))
        hid = _owner(events, e.occurred_at, getattr(e, "handoff_id", None))
        if score is not None and hid is not None:
            out.append(CsatAnswer(hid, float(score), e.occurred_at))
    return out


def seam_leaks(events: Sequence[Any]) -> list[SeamLeak]:
    """Seam-leak detections in one log: the one place that knows that event's fields."""
    out = []
    for e in events:
        if _name(e) not in SEAM_LEAKS:
            continue
        hid = _owner(events, e.occurred_at, getattr(e, "handoff_id", None))
        if hid is not None:
            who, item = getattr(e, "who", ""), getattr(e, "item", "")
            kind = f"{who}:{item}" if who and item else str(getattr(e, "kind", "") or "leak")
            out.append(SeamLeak(hid, kind, e.occurred_at))
    return out


@dataclass(frozen=True)
class Missed:
    """A conversation that ended badly without ever reaching a human."""

    conversation_id: str
    reasons: tuple[str, ...]  # final_negative | abandoned_after_miss | later_complaint


def _customer_turns(events: Sequence[Any]) -> list[Any]:
    return [e for e in events if _name(e) == "DecisionMade" and e.assessment is not None]


def _abandoned_after_miss(events: Sequence[Any], now: datetime, idle: timedelta) -> bool:
    """The bot missed (a trigger fired below the bar, or it replied unsure) and the customer
    never wrote again, for at least `idle` before `now`."""
    last_msg = max((e.occurred_at for e in events if _name(e) == "MessageReceived"),
                   default=None)
    if last_msg is None or now - events[-1].occurred_at < idle:
        return False
    after = [e for e in events if e.occurred_at >= last_msg]
    near_miss = any(_name(e) == "DecisionMade" and e.hits and not e.escalate for e in after)
    unsure = any(_name(e) == "AgentReplied" and e.confidence is not None
                 and e.confidence < LOW_CONFIDENCE for e in after)
    return near_miss or unsure


def missed_escalation(conversation_id: str, events: Sequence[Any], *, now: datetime,
                      later: Iterable[Sequence[Any]] = (), idle: timedelta = timedelta(hours=1),
                      within: timedelta = timedelta(days=7)) -> Missed | None:
    """Why a conversation without a handoff counts as a missed escalation, or None.

    `later` are the same customer's later conversations; one that raises a complaint
    within `within` of this one's end means this one was missed too.
    """
    if not events or any(_name(e) in ("EscalationTriggered", "HandoffRouted") for e in events):
        return None
    reasons = []
    turns = _customer_turns(events)
    final = turns[-1].assessment.sentiment if turns else None
    if final is not None and final <= NEGATIVE_END:
        reasons.append("final_negative")
    if _abandoned_after_miss(events, now, idle):
        reasons.append("abandoned_after_miss")
    end = events[-1].occurred_at
    for other in later:
        if any(t.occurred_at - end <= within and "complaint" in t.assessment.topics
               for t in _customer_turns(other) if t.occurred_at > end):
            reasons.append("later_complaint")
            break
    return Missed(conversation_id, tuple(reasons)) if reasons else None


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile: the smallest value with at least q% of values at or below."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))  # ceil(n·q/100), at least 1
    return ordered[int(rank) - 1]


@dataclass(frozen=True)
class Spread:
    n: int
    median: float | None
    p90: float | None

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread:
        return cls(len(values), percentile(values, 50), percentile(values, 90))


@dataclass(frozen=True)
class Rate:
    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None


@dataclass
class SeamMetrics:
    """The figures of docs/metrics.md for one set of conversations."""

    conversations: int = 0
    handoffs: list[HandoffFacts] = field(default_factory=list)
    time_to_human: Spread = Spread(0, None, None)
    time_to_human_by_lane: dict[str, Spread] = field(default_factory=dict)
    time_to_human_by_queue: dict[str, Spread] = field(default_factory=dict)
    unanswered: int = 0
    re_escalation: Rate = Rate(0, 0)
    re_escalated: list[str] = field(default_factory=list)  # handoff ids
    escalation_by_channel: dict[str, Rate] = field(default_factory=dict)
    escalation_by_trigger: dict[str, Rate] = field(default_factory=dict)
    escalation_by_route: dict[str, Rate] = field(default_factory=dict)
    fallback_share: Rate = Rate(0, 0)
    csat: list[CsatAnswer] = field(default_factory=list)
    csat_mean: float | None = None
    csat_response: Rate = Rate(0, 0)
    csat_by_trigger: dict[str, float] = field(default_factory=dict)
    csat_by_lane: dict[str, float] = field(default_factory=dict)
    leaks: list[SeamLeak] = field(default_factory=list)
    leaks_per_handoff: float | None = None
    handoffs_with_leak: Rate = Rate(0, 0)
    missed: list[Missed] = field(default_factory=list)
    missed_rate: Rate = Rate(0, 0)
    missed_by_reason: dict[str, int] = field(default_factory=dict)


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _spreads(facts: Sequence[HandoffFacts], key: str) -> dict[str, Spread]:
    groups: dict[str, list[float]] = defaultdict(list)
    for f in facts:
        if f.time_to_human is not None:
            groups[getattr(f, key)].append(f.time_to_human)
    return {k: Spread.of(v) for k, v in sorted(groups.items())}


def _re_escalated(facts: Sequence[HandoffFacts], customers: Mapping[str, str],
                  within: timedelta) -> list[str]:
    """Handoffs transferred again, or followed by another handoff for the same customer
    (same conversation when the customer is unknown) within `within` of resolution."""
    def who(f: HandoffFacts) -> str:
        return customers.get(f.conversation_id) or f"conversation:{f.conversation_id}"
    groups: dict[str, list[HandoffFacts]] = defaultdict(list)
    for f in facts:
        groups[who(f)].append(f)
    out = []
    for f in facts:
        end = f.resolved_at
        reopened = end is not None and any(
            g is not f and end <= g.routed_at <= end + within for g in groups[who(f)])
        if f.transfers > 0 or reopened:
            out.append(f.handoff_id)
    return out


def compute(histories: Mapping[str, Sequence[Any]], *, now: datetime,
            reopen_within: timedelta = timedelta(days=7),
            abandon_idle: timedelta = timedelta(hours=1)) -> SeamMetrics:
    """All the figures over `histories` (conversation id → its events, in order)."""
    m = SeamMetrics(conversations=len(histories))
    customers = {cid: ref for cid, ev in histories.items() if (ref := customer_of(ev))}
    by_customer: dict[str, list[str]] = defaultdict(list)
    for cid, ref in customers.items():
        by_customer[ref].append(cid)
    for cid, events in histories.items():
        m.handoffs += extract_handoffs(cid, events)
        m.csat += csat_answers(events)
        m.leaks += seam_leaks(events)
        ref = customers.get(cid)
        others = [histories[o] for o in by_customer.get(ref, []) if o != cid] if ref else []
        miss = missed_escalation(cid, events, now=now, later=others, idle=abandon_idle,
                                 within=reopen_within)
        if miss is not None:
            m.missed.append(miss)
    facts = m.handoffs
    waits = [f.time_to_human for f in facts if f.time_to_human is not None]
    m.time_to_human = Spread.of(waits)
    m.unanswered = len(facts) - len(waits)
    m.time_to_human_by_lane = _spreads(facts, "lane")
    m.time_to_human_by_queue = _spreads(facts, "queue")
    m.re_escalated = _re_escalated(facts, customers, reopen_within)
    m.re_escalation = Rate(len(m.re_escalated), len(facts))
    m.fallback_share = Rate(sum(f.fallback for f in facts), len(facts))
    _escalation_rates(m, histories)
    _csat(m)
    leaky = {leak.handoff_id for leak in m.leaks}
    m.leaks_per_handoff = len(m.leaks) / len(facts) if facts else None
    m.handoffs_with_leak = Rate(len(leaky & {f.handoff_id for f in facts}), len(facts))
    without = m.conversations - len({f.conversation_id for f in facts})
    m.missed_rate = Rate(len(m.missed), without)
    m.missed_by_reason = dict(sorted(Counter(r for x in m.missed for r in x.reasons).items()))
    return m


def _escalation_rates(m: SeamMetrics, histories: Mapping[str, Sequence[Any]]) -> None:
    """By channel and route: escalated conversations / conversations in the group. By
    trigger: conversations whose handoffs carried the trigger / all conversations."""
    escalated = {f.conversation_id for f in m.handoffs}
    firsts: dict[str, HandoffFacts] = {}
    for f in m.handoffs:
        firsts.setdefault(f.conversation_id, f)
    per_channel: dict[str, list[str]] = defaultdict(list)
    per_route: dict[str, list[str]] = defaultdict(list)
    for cid, events in histories.items():
        per_channel[_channel(events)].append(cid)
        turns = _customer_turns(events)
        first = firsts.get(cid)
        route = first.route if first is not None else (
            turns[-1].assessment.route if turns else None)
        per_route[route or "unassessed"].append(cid)
    for target, groups in ((m.escalation_by_channel, per_channel),
                           (m.escalation_by_route, per_route)):
        for key, cids in sorted(groups.items()):
            target[key] = Rate(len(escalated.intersection(cids)), len(cids))
    by_trigger: dict[str, set[str]] = defaultdict(set)
    for f in m.handoffs:
        for kind in f.triggers:
            by_trigger[kind].add(f.conversation_id)
    m.escalation_by_trigger = {k: Rate(len(v), m.conversations)
                               for k, v in sorted(by_trigger.items())}


def _csat(m: SeamMetrics) -> None:
    """Mean score over answers; response rate over resolved handoffs (the question follows
    the resolution); by trigger and lane of the handoff answered."""
    facts = {f.handoff_id: f for f in m.handoffs}
    answers = {a.handoff_id: a for a in m.csat if a.handoff_id in facts}  # last answer wins
    resolved = [f for f in m.handoffs if f.resolved_at is not None]
    m.csat_mean = _mean([a.score for a in answers.values()])
    m.csat_response = Rate(sum(f.handoff_id in answers for f in resolved), len(resolved))
    by_trigger: dict[str, list[float]] = defaultdict(list)
    by_lane: dict[str, list[float]] = defaultdict(list)
    for hid, a in answers.items():
        for kind in facts[hid].triggers or ("none",):
            by_trigger[kind].append(a.score)
        by_lane[facts[hid].lane].append(a.score)
    m.csat_by_trigger = {k: sum(s) / len(s) for k, s in sorted(by_trigger.items())}
    m.csat_by_lane = {k: sum(s) / len(s) for k, s in sorted(by_lane.items())}
