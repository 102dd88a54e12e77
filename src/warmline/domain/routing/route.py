"""Routing: which queue a handoff goes to, at which priority, and why — as a value.

The router reads a `RoutingInput`, a plain value built from the conversation, its
latest decision and the customer's record (`routing_input`). It does not care where
a fact came from: topics, a route hint, an intent and a sentiment come from the
detection assessment on the decision when there is one, and otherwise from the
trigger hits and the topic cues of the customer's own words; value, tags, language
and product line come from the record when there is one. Rules are tried in order;
the first whose conditions hold wins, and the decision records which rule, which
facts satisfied it, and the policy version. No rule matching is not an error: the
handoff goes to the fallback queue, and is reported as a fallback.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from warmline.domain.judge.money import order_in_question
from warmline.domain.judge.topics import cues
from warmline.domain.model import Conversation, Role
from warmline.domain.policy import Policy
from warmline.domain.record.facts import CustomerFacts
from warmline.domain.routing import hours
from warmline.domain.routing.policy import (
    BY_PRODUCT_LINE,
    Conditions,
    RouteRule,
    line_matches,
)
from warmline.domain.text import content_words, order_refs

#: Trigger kinds whose firing says something about the topic.
_TRIGGER_TOPICS = {"negative_emotion": "complaint"}
#: Money-risk reasons name the topic they fired on.
_REASON_TOPICS = (("cancellation", "cancellation"), ("chargeback", "chargeback"),
                  ("refund", "refund_request"))


@dataclass(frozen=True)
class RoutingInput:
    """Everything routing may look at, whatever produced it."""

    channel: str = "api"
    topics: frozenset[str] = frozenset()
    intent: str | None = None
    route_hint: str | None = None
    product_line: str | None = None
    triggers: frozenset[str] = frozenset()
    sentiment: float | None = None
    customer_value: float | None = None
    customer_tags: frozenset[str] = frozenset()
    language: str | None = None


@dataclass(frozen=True)
class RuleCheck:
    """One rule tried: did it match, and the fact that decided it."""

    rule: str
    matched: bool
    why: str


@dataclass(frozen=True)
class RouteDecision:
    rule: str  # the rule that matched, or "fallback"
    queue: str
    priority: int
    reason: str
    fallback: bool
    policy_version: str
    language: str | None = None
    trace: tuple[RuleCheck, ...] = field(default_factory=tuple)


def route(policy: Policy, item: RoutingInput, now: datetime) -> RouteDecision:
    """The first rule that holds for `item`, else the fallback queue."""
    rp = policy.routing
    trace: list[RuleCheck] = []
    for rule in rp.rules:
        ok, why = _rule_holds(rule, item, policy, now)
        queue = rule.queue
        if ok and queue == BY_PRODUCT_LINE:
            found = rp.queue_for_line(item.product_line or "")
            if found is None:
                ok, why = False, f"no queue is the team for product line {item.product_line!r}"
            else:
                queue, why = found, f"{why}; queue {found} is that line's team"
        trace.append(RuleCheck(rule.name, ok, why))
        if ok:
            reason = f"{why} — {rule.note}" if rule.note else why
            return RouteDecision(rule.name, queue, rule.priority, reason, False,
                                 policy.version, item.language, tuple(trace))
    reason = "no rule matched; the fallback queue takes it"
    return RouteDecision("fallback", rp.fallback_queue, rp.fallback_priority, reason, True,
                         policy.version, item.language, tuple(trace))


def _rule_holds(rule: RouteRule, item: RoutingInput, policy: Policy,
                now: datetime) -> tuple[bool, str]:
    if not rule.when:
        return True, "always"
    misses = []
    for block in rule.when:
        ok, why = block_holds(block, item, policy, now)
        if ok:
            return True, why
        misses.append(why)
    return False, " / ".join(misses)


def block_holds(c: Conditions, item: RoutingInput, policy: Policy,
                now: datetime) -> tuple[bool, str]:
    """(holds, why): the facts that satisfied every filter, or the first that failed."""
    held: list[str] = []
    checks = (
        _any_of("topic", c.topics, item.topics),
        _any_of("intent", c.intents, [item.intent] if item.intent else []),
        _any_of("route hint", c.routes, [item.route_hint] if item.route_hint else []),
        _line(c, item),
        _any_of("trigger", c.triggers, item.triggers),
        _any_of("customer tag", c.customer_tags, item.customer_tags),
        _any_of("language", c.languages, [item.language] if item.language else []),
        _any_of("channel", c.channels, [item.channel]),
        _value(c, item), _sentiment(c, item), _hours(c, policy, now),
    )
    for ok, fact in checks:
        if not ok:
            return False, fact or ""
        if fact:
            held.append(fact)
    return True, "; ".join(held) or "no conditions"


Check = tuple[bool, str | None]  # (holds, the fact that decided it; None: filter unset)


def _any_of(name: str, wanted: Iterable[str], have: Iterable[str]) -> Check:
    w, h = {x.lower() for x in wanted}, {x.lower() for x in have}
    if not w:
        return True, None
    both = sorted(w & h)
    if both:
        return True, f"{name} {', '.join(both)}"
    return False, f"{name} {', '.join(sorted(h)) or '(none)'} not in {', '.join(sorted(w))}"


def _line(c: Conditions, item: RoutingInput) -> Check:
    if not c.product_lines:
        return True, None
    line = item.product_line
    if line and any(w == "*" or line_matches(w, line) for w in c.product_lines):
        return True, f"product line {line}"
    return False, f"product line {line or '(none)'} not in {', '.join(c.product_lines)}"


def _value(c: Conditions, item: RoutingInput) -> Check:
    if c.min_customer_value <= 0:
        return True, None
    v = item.customer_value
    if v is not None and v >= c.min_customer_value:
        return True, f"customer value {v:.0f} ≥ {c.min_customer_value:.0f}"
    shown = "unknown" if v is None else f"{v:.0f}"
    return False, f"customer value {shown} under {c.min_customer_value:.0f}"


def _sentiment(c: Conditions, item: RoutingInput) -> Check:
    if c.max_sentiment >= 1:
        return True, None
    s = item.sentiment
    if s is not None and s <= c.max_sentiment:
        return True, f"sentiment {s:.2f} ≤ {c.max_sentiment:.2f}"
    shown = "unknown" if s is None else f"{s:.2f}"
    return False, f"sentiment {shown} above {c.max_sentiment:.2f}"


def _hours(c: Conditions, policy: Policy, now: datetime) -> Check:
    if c.hours == "any":
        return True, None
    rp = policy.routing
    state = "open" if hours.is_open(rp.schedules[rp.business_hours], now) else "closed"
    if state == c.hours:
        return True, f"business hours {state}"
    return False, f"business hours {state}, rule wants {c.hours}"


def routing_input(conv: Conversation, record: CustomerFacts | None) -> RoutingInput:
    """The routing view of an escalated conversation (works with or without assessment)."""
    decision = conv.last_decision
    assessment = getattr(decision, "assessment", None) if decision else None
    escalation = conv.escalations[-1] if conv.escalations else None
    hits = escalation.hits if escalation else (decision.hits if decision else ())
    triggers = frozenset(h.kind for h in hits)
    window = [t for t in conv.turns[conv.window_start:] if t.role is Role.CUSTOMER]
    topics = set(_assessed_topics(_get(assessment, "topics")))
    for turn in window:
        topics.update(c.topic for c in cues(turn.text))
    topics.update(_TRIGGER_TOPICS[k] for k in triggers if k in _TRIGGER_TOPICS)
    for hit in hits:
        if hit.kind == "money_risk":
            topics.update(t for word, t in _REASON_TOPICS if word in hit.reason)
    agent_intents = [t.intent for t in conv.turns if t.role is Role.AGENT and t.intent]
    intent = (_get(assessment, "intent") or _get(_get(assessment, "scope"), "intent")
              or (agent_intents[-1] if agent_intents else None))
    sentiment = _get(assessment, "sentiment")
    if sentiment is None:
        emotion = [h.intensity for h in hits if h.kind == "negative_emotion"]
        sentiment = -max(emotion) if emotion else None
    return RoutingInput(
        channel=conv.channel, topics=frozenset(topics),
        intent=str(intent) if intent else None,
        route_hint=_text(_get(assessment, "route")),
        product_line=_text(_get(assessment, "product_line")) or _product_line(window, record),
        triggers=triggers, sentiment=_number(sentiment),
        customer_value=record.lifetime_value if record else None,
        customer_tags=frozenset(t.lower() for t in record.tags) if record else frozenset(),
        language=_text(_get(assessment, "language")) or _text(getattr(record, "language",
                                                                      None)))


def _get(source: Any, name: str) -> Any:
    """A field of the assessment, whether it is an object or a mapping."""
    if source is None:
        return None
    if isinstance(source, Mapping):
        return source.get(name)
    return getattr(source, name, None)


def _assessed_topics(value: Any) -> list[str]:
    """Topics as a list of names, or a mapping name -> flag/score (≥ 0.5 counts)."""
    if value is None:
        return []
    if isinstance(value, Mapping):
        return [str(k) for k, v in value.items()
                if v is True or (isinstance(v, (int, float)) and v >= 0.5)]
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def _text(value: Any) -> str | None:
    return str(value).lower() if value not in (None, "") else None


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) else None


def _product_line(window: list[Any], record: CustomerFacts | None) -> str | None:
    """The product line the customer is asking about, if the record tells.

    An order the customer names wins (latest message first); otherwise an order whose
    items the customer mentions by name. Merely having orders is not enough: a customer
    asking for a person is not asking about their last purchase.
    """
    if record is None:
        return None
    for turn in reversed(window):
        if order_refs(turn.text):
            order = order_in_question(turn.text, record)
            line = getattr(order, "product_line", None)
            if line:
                return str(line).lower()
    said = set().union(*(content_words(t.text) for t in window)) if window else set()
    for order in reversed(record.orders):
        line = getattr(order, "product_line", None)
        items = getattr(order, "items", "") or ""
        if line and said & {w for w in content_words(str(items)) if len(w) >= 4}:
            return str(line).lower()
    return None
