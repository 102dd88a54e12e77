"""The routing section of the policy: schedules, queues with their cascades, and rules.

Plain frozen dataclasses read by the policy's generic validator (types, ranges and the
dotted key of the offending entry); `RoutingPolicy.__post_init__` adds the checks that
span entries — a rule naming an unknown queue, an overflow cycle, a bad time zone —
so a candidate file is rejected whole, before any handoff is routed by it.

The defaults follow the field's practice (docs/routing.md): high-value customers to a
priority lane, complaints and cancellations to retention, refunds to billing, delivery
and returns to fulfilment, product questions to the team for that product line, and a
fallback queue that exists but is reported as such.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from warmline.domain.errors import PolicyError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: A rule whose queue is this goes to the queue that lists the handoff's product line.
BY_PRODUCT_LINE = "@product_line"
#: `when_closed` values besides a queue name.
CLOSED_ACTIONS = ("next_open", "callback")
HOURS_FILTERS = ("any", "open", "closed")
_TIME = re.compile(r"^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _opt(default: Any, help: str, *, min: float | None = None,
         max: float | None = None) -> Any:
    """A field with a default, a help line and a range, as `policy.setting` makes them."""
    meta = {"help": help, "min": min, "max": max}
    if isinstance(default, (dict, list, tuple)):
        frozen = tuple(default) if isinstance(default, list) else default
        return dataclasses.field(default_factory=lambda: frozen, metadata=meta)
    return dataclasses.field(default=default, metadata=meta)


@dataclass(frozen=True)
class Schedule:
    """Opening hours: which days, from when to when, in which time zone."""

    timezone: str = _opt("UTC", "IANA time zone the hours are in, e.g. Europe/Berlin")
    days: tuple[str, ...] = _opt(list(DAYS), "days open (mon, tue, wed, thu, fri, sat, sun)")
    open: str = _opt("00:00", "opening time, HH:MM")
    close: str = _opt("24:00", "closing time, HH:MM (24:00 is midnight)")
    closed_dates: tuple[str, ...] = _opt([], "whole days closed (YYYY-MM-DD), e.g. holidays")


@dataclass(frozen=True)
class EscalationStep:
    """One cascade step: past `after_seconds` in the queue, rise and/or move on."""

    after_seconds: int = _opt(300, "seconds in the current queue before this step applies",
                              min=1)
    raise_priority: int = _opt(0, "added to the handoff's priority (capped at 100)",
                               min=0, max=100)
    overflow_to: str = _opt("", "queue the handoff moves to (empty: it stays)")


@dataclass(frozen=True)
class QueueSpec:
    """A queue: who may take from it, when it is open, and how long is too long."""

    description: str = _opt("", "what the queue is for (shown in reports)")
    skills: tuple[str, ...] = _opt([], "skills an agent needs, every one, to take from it")
    languages: tuple[str, ...] = _opt(
        [], "languages it serves: a handoff in one of them needs an agent who speaks it")
    product_lines: tuple[str, ...] = _opt(
        [], f"product lines it is the team for (rules with queue {BY_PRODUCT_LINE})")
    hours: str = _opt("always", "name of the schedule it is open by")
    when_closed: str = _opt(
        "next_open", "out of hours: next_open (waits for the opening), callback (a "
        "promised call-back at the opening, priority raised) or a queue to overflow to")
    sla_seconds: int = _opt(300, "target time to a human (routed → accepted)", min=1)
    fallback: bool = _opt(False, "the catch-all queue; reported as fallback, not as a route")
    escalation: tuple[EscalationStep, ...] = _opt(
        [], "cascade while waiting: steps applied in order, timed from entering the queue")


@dataclass(frozen=True)
class Conditions:
    """One block of filters; every filter set must hold (an unset filter holds)."""

    topics: tuple[str, ...] = _opt([], "any of these topics (complaint, cancellation, "
                                   "refund_request, chargeback, return, ...)")
    intents: tuple[str, ...] = _opt([], "the intent is one of these")
    routes: tuple[str, ...] = _opt([], "the detector's route hint is one of these "
                                   "(retention, billing, fulfilment, account, general)")
    product_lines: tuple[str, ...] = _opt(
        [], "the product line in question is one of these; \"*\" is any known line")
    triggers: tuple[str, ...] = _opt([], "any of these triggers fired")
    customer_tags: tuple[str, ...] = _opt([], "the customer has any of these tags (record)")
    min_customer_value: float = _opt(
        0.0, "the customer's lifetime value is at least this (0: no filter)", min=0)
    max_sentiment: float = _opt(
        1.0, "the sentiment (-1..1) is at most this (1: no filter)", min=-1, max=1)
    languages: tuple[str, ...] = _opt([], "the customer's language is one of these")
    channels: tuple[str, ...] = _opt([], "the conversation's channel is one of these")
    hours: str = _opt("any", "any, open or closed: by the schedule `routing.business_hours`")


@dataclass(frozen=True)
class RouteRule:
    """First matching rule wins: where the handoff goes, at which priority, and why."""

    name: str = _opt("", "a unique name, recorded with every handoff it routes")
    when: tuple[Conditions, ...] = _opt([], "blocks of filters; the rule matches when any "
                                        "block holds (an empty list always matches)")
    queue: str = _opt("", f"target queue, or {BY_PRODUCT_LINE} for the product line's team")
    priority: int = _opt(50, "priority in the queue (higher is served first)", min=0, max=100)
    note: str = _opt("", "why this rule exists, in a sentence (shown with the decision)")


def _queue(description: str, skills: list[str], sla: int, *, hours: str = "business",
           lines: list[str] | None = None, languages: list[str] | None = None,
           steps: list[EscalationStep] | None = None, fallback: bool = False,
           when_closed: str = "next_open") -> QueueSpec:
    return QueueSpec(description=description, skills=tuple(skills),
                     languages=tuple(languages or ["en", "de", "fr"]),
                     product_lines=tuple(lines or []), hours=hours, when_closed=when_closed,
                     sla_seconds=sla, fallback=fallback, escalation=tuple(steps or []))


def _rule(name: str, queue: str, priority: int, note: str,
          *blocks: dict[str, Any]) -> RouteRule:
    def conditions(block: dict[str, Any]) -> Conditions:
        fields: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v
                                  for k, v in block.items()}
        return Conditions(**fields)

    when = tuple(conditions(b) for b in blocks)
    return RouteRule(name=name, when=when, queue=queue, priority=priority, note=note)


def _step(after: int, rise: int = 0, overflow: str = "") -> EscalationStep:
    return EscalationStep(after_seconds=after, raise_priority=rise, overflow_to=overflow)


DEFAULT_SCHEDULES = {
    "always": Schedule(),
    "business": Schedule(timezone="Europe/Berlin", days=DAYS[:6], open="08:00",
                         close="20:00"),
}
DEFAULT_QUEUES = {
    "priority": _queue("high-value customers, any topic: senior agents", ["senior"], 60,
                       hours="business", when_closed="callback",
                       steps=[_step(60, rise=10), _step(180, overflow="general")]),
    "retention": _queue("complaints, cancellations and disputes: save the relationship",
                        ["retention"], 180,
                        steps=[_step(180, rise=10), _step(480, overflow="general")]),
    "billing": _queue("refunds, charges and invoices", ["billing"], 300,
                      steps=[_step(300, rise=10), _step(600, overflow="general")]),
    "fulfilment": _queue("delivery, returns and address changes", ["fulfilment"], 300,
                         steps=[_step(300, rise=10), _step(600, overflow="general")]),
    "kitchen": _queue("questions about kitchen appliances", ["kitchen"], 300,
                      lines=["kitchen"],
                      steps=[_step(300, rise=10), _step(600, overflow="general")]),
    "living": _queue("questions about home and living products", ["living"], 300,
                     lines=["living"],
                     steps=[_step(300, rise=10), _step(600, overflow="general")]),
    "apparel": _queue("questions about outdoor apparel", ["apparel"], 300,
                      lines=["apparel"],
                      steps=[_step(300, rise=10), _step(600, overflow="general")]),
    "general": _queue("fallback: anything no rule claimed", [], 300, fallback=True,
                      steps=[_step(300, rise=20)]),
}
DEFAULT_RULES = (
    _rule("high_value_to_priority_lane", "priority", 80,
          "high-value customers get a priority lane: losing them costs more",
          {"customer_tags": ["vip"]}, {"min_customer_value": 2000.0}),
    _rule("complaints_and_cancellations_to_retention", "retention", 60,
          "a retention specialist can save the relationship, not just process the request",
          {"topics": ["complaint", "cancellation", "chargeback"]}, {"routes": ["retention"]}),
    _rule("refunds_to_billing", "billing", 50, "refunds and charges need billing rights",
          {"topics": ["refund_request"]}, {"routes": ["billing"]}),
    _rule("delivery_and_returns_to_fulfilment", "fulfilment", 40,
          "orders in transit, returns and address changes are fulfilment's",
          {"topics": ["return", "address_change", "late_return"]},
          {"routes": ["fulfilment"]}),
    _rule("product_questions_to_their_team", BY_PRODUCT_LINE, 40,
          "product questions go to the team that knows that product line",
          {"product_lines": ["*"]}),
)


@dataclass(frozen=True)
class RoutingPolicy:
    """Where handoffs go, who may take them, and what happens while they wait."""

    fallback_queue: str = _opt("general", "queue for handoffs no rule matched (reported "
                               "as fallback)")
    fallback_priority: int = _opt(10, "priority of fallback handoffs", min=0, max=100)
    business_hours: str = _opt("business", "schedule that rule conditions `hours` refer to")
    offer_seconds: int = _opt(
        45, "lease of a claim or an offer: unconfirmed after this, it returns to the queue",
        min=5, max=3600)
    auto_offer: bool = _opt(
        True, "offer a new handoff at once to the best available agent (else agents claim)")
    default_handle_seconds: int = _opt(
        420, "handle time assumed for wait estimates until a queue has its own history",
        min=1)
    recent_handoffs: int = _opt(
        50, "how many recent handoffs of a queue its handle-time estimate averages", min=1)
    alert_after_seconds: int = _opt(
        900, "waiting this long (since routed) flags a handoff to supervisors: nothing "
        "waits unseen", min=1)
    transfer_priority_boost: int = _opt(
        10, "priority added to a transferred handoff: the customer already waited", min=0,
        max=100)
    callback_priority_boost: int = _opt(
        20, "priority added to an out-of-hours handoff promised a call-back", min=0, max=100)
    schedules: dict[str, Schedule] = _opt(DEFAULT_SCHEDULES, "opening hours by name")
    queues: dict[str, QueueSpec] = _opt(DEFAULT_QUEUES, "queues by name")
    rules: tuple[RouteRule, ...] = _opt(list(DEFAULT_RULES), "routing rules, first match "
                                        "wins; none matching means the fallback queue")

    def __post_init__(self) -> None:
        _check(self)

    def queue(self, name: str) -> QueueSpec:
        return self.queues[name]

    def queue_for_line(self, line: str) -> str | None:
        """The queue that is the team for product line `line`, if any."""
        for name, spec in self.queues.items():
            if any(line_matches(wanted, line) for wanted in spec.product_lines):
                return name
        return None


def line_matches(wanted: str, line: str) -> bool:
    """A product line named in the policy matches the record's line by its id, its name,
    or a word of its name ("kitchen" matches "Kitchen appliances"), case aside."""
    wanted, line = wanted.lower(), line.lower()
    return wanted == line or wanted in re.split(r"[^a-z0-9]+", line)


def _check(p: RoutingPolicy) -> None:
    """Cross-entry checks; each error names the dotted key that is wrong."""
    at = "routing"
    queues = sorted(p.queues)

    def need_queue(key: str, name: str) -> None:
        if name not in p.queues:
            raise PolicyError(key, f"unknown queue {name!r} (known: {', '.join(queues)})")

    for name, sched in p.schedules.items():
        _check_schedule(f"{at}.schedules.{name}", sched)
    need_queue(f"{at}.fallback_queue", p.fallback_queue)
    if p.business_hours not in p.schedules:
        raise PolicyError(f"{at}.business_hours", f"unknown schedule {p.business_hours!r}")
    fallbacks = [n for n, q in p.queues.items() if q.fallback]
    if fallbacks != [p.fallback_queue]:
        raise PolicyError(f"{at}.queues.{p.fallback_queue}.fallback",
                          f"exactly the fallback queue must say fallback: true (found "
                          f"{fallbacks or 'none'})")
    for name, q in p.queues.items():
        key = f"{at}.queues.{name}"
        if q.hours not in p.schedules:
            raise PolicyError(f"{key}.hours", f"unknown schedule {q.hours!r} (known: "
                              f"{', '.join(sorted(p.schedules))})")
        if q.when_closed not in CLOSED_ACTIONS:
            need_queue(f"{key}.when_closed", q.when_closed)
        last = 0
        for i, step in enumerate(q.escalation):
            if step.after_seconds <= last:
                raise PolicyError(f"{key}.escalation[{i}].after_seconds",
                                  "steps must come in increasing order of time")
            last = step.after_seconds
            if step.overflow_to:
                need_queue(f"{key}.escalation[{i}].overflow_to", step.overflow_to)
                if step.overflow_to == name:
                    raise PolicyError(f"{key}.escalation[{i}].overflow_to",
                                      "a queue cannot overflow to itself")
    _check_cycles(p)
    seen: set[str] = set()
    for i, rule in enumerate(p.rules):
        key = f"{at}.rules[{i}]"
        if not rule.name:
            raise PolicyError(f"{key}.name", "required: a unique rule name")
        if rule.name in seen or rule.name == "fallback":
            raise PolicyError(f"{key}.name", f"rule name {rule.name!r} is taken")
        seen.add(rule.name)
        if rule.queue == BY_PRODUCT_LINE:
            if not any(q.product_lines for q in p.queues.values()):
                raise PolicyError(f"{key}.queue", "no queue lists product_lines")
        else:
            need_queue(f"{key}.queue", rule.queue)
        for j, block in enumerate(rule.when):
            if block.hours not in HOURS_FILTERS:
                raise PolicyError(f"{key}.when[{j}].hours",
                                  f"expected one of {', '.join(HOURS_FILTERS)}")


def _check_schedule(key: str, s: Schedule) -> None:
    try:
        ZoneInfo(s.timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise PolicyError(f"{key}.timezone", f"unknown time zone {s.timezone!r}") from exc
    for i, day in enumerate(s.days):
        if day not in DAYS:
            raise PolicyError(f"{key}.days[{i}]", f"expected one of {', '.join(DAYS)}")
    for name in ("open", "close"):
        if not _TIME.match(getattr(s, name)):
            raise PolicyError(f"{key}.{name}", "expected HH:MM")
    if s.open >= s.close:
        raise PolicyError(f"{key}.close", "must be after open (hours past midnight: use "
                          "two schedules' worth of days)")
    for i, day in enumerate(s.closed_dates):
        if not _DATE.match(day):
            raise PolicyError(f"{key}.closed_dates[{i}]", "expected YYYY-MM-DD")


def _check_cycles(p: RoutingPolicy) -> None:
    """Overflow and out-of-hours targets must not lead back: nothing bounces forever."""
    edges = {n: {s.overflow_to for s in q.escalation if s.overflow_to}
             | ({q.when_closed} if q.when_closed not in CLOSED_ACTIONS else set())
             for n, q in p.queues.items()}
    for start in edges:
        stack, seen = list(edges[start]), set()
        while stack:
            node = stack.pop()
            if node == start:
                raise PolicyError(f"routing.queues.{start}",
                                  "overflow targets lead back to this queue (a cycle)")
            if node not in seen:
                seen.add(node)
                stack.extend(edges.get(node, ()))
