"""What a conversation is about, read from its turns, its trigger hits and the record.

`read_story` gathers the facts every part of the context package needs (the order in
question, the amount, days past a window, which fault report this is, a cart that failed
at payment...) and `situation` names the next-step rule that applies: the first of
`next_steps.SITUATIONS` (their order is the precedence) whose condition holds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from warmline.domain.events import EscalationTriggered
from warmline.domain.judge.topics import cues
from warmline.domain.model import Conversation, Role, Turn
from warmline.domain.policy import Policy
from warmline.domain.record.commerce import Cart, CustomerRecord, Order
from warmline.domain.record.facts import OrderFacts
from warmline.domain.text import order_refs

PAYMENT = re.compile(r"\b(?:pay|paying|payment|paid|card|checkout|check out|declined|"
                     r"cart|basket|purchase didn't|couldn't buy|can't buy)\b", re.IGNORECASE)
ORDINALS = {"second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "fifth": 5,
            "5th": 5}
NTH_TIME = re.compile(r"\b(second|2nd|third|3rd|fourth|4th|fifth|5th)\s+time\b",
                      re.IGNORECASE)
ORDER_EVIDENCE = re.compile(r"^order #?(\S+)")
WHERE_IS = re.compile(r"\b(?:where(?:'s| is)|when (?:will|does) (?:it|my)|track(?:ing)?|"
                      r"(?:has|hasn'?t) (?:it |my \w+ )?(?:arrived|shipped|come))\b",
                      re.IGNORECASE)
FAULTY = ("fault", "warranty")


@dataclass
class Story:
    """The facts of one escalated conversation, as the package builder needs them."""

    conv: Conversation
    turns: list[Turn]  # from the start of the window to the escalating turn
    escalation: EscalationTriggered
    record: CustomerRecord | None
    now: datetime
    kinds: dict[str, str] = field(default_factory=dict)  # trigger kind -> reason
    topics: set[str] = field(default_factory=set)
    order: Order | None = None
    facts: OrderFacts | None = None
    cart: Cart | None = None
    amount: float | None = None
    currency: str = "EUR"
    window: int = 30
    warranty: int = 730
    days_since_delivery: int | None = None
    days_over: int | None = None  # past the return window
    warranty_over: int | None = None
    days_late: int | None = None
    nth_fault: int | None = None
    high_value: bool = False
    threshold: float = 0.0
    policy_currency: str = "EUR"

    @property
    def customer_turns(self) -> list[Turn]:
        return [t for t in self.turns if t.role is Role.CUSTOMER]

    @property
    def agent_turns(self) -> list[Turn]:
        return [t for t in self.turns if t.role is Role.AGENT]

    @property
    def wants_refund(self) -> bool:
        return bool(self.topics & {"refund_request", "return", "late_return"})

    @property
    def faulty(self) -> bool:
        return bool(self.topics & set(FAULTY)) or self.nth_fault is not None


def read_story(conv: Conversation, escalation: EscalationTriggered,
               record: CustomerRecord | None, policy: Policy, now: datetime) -> Story:
    turns = conv.turns[conv.window_start:escalation.turn + 1] or conv.turns[:escalation.turn + 1]
    story = Story(conv, list(turns), escalation, record, now)
    story.kinds = {h.kind: h.reason for h in escalation.hits}
    for t in story.customer_turns:
        story.topics |= {c.topic for c in cues(t.text)}
        if WHERE_IS.search(t.text):
            story.topics.add("order_status")
    money, edge = policy.triggers.money_risk, policy.triggers.policy_edge
    story.window, story.warranty = edge.return_window_days, edge.warranty_days
    story.threshold, story.currency = money.refund_over, money.currency
    story.policy_currency = money.currency
    if record is not None:
        c = record.customer
        story.high_value = bool(set(t.lower() for t in c.tags)
                                & {t.lower() for t in money.high_value_tags}) or (
            money.high_value_lifetime_value > 0
            and c.lifetime_value >= money.high_value_lifetime_value)
        if story.high_value:
            story.threshold = money.high_value_refund_over
        _find_order(story)
        _find_cart(story)
    _amount(story)
    _dates(story, policy)
    _faults(story)
    return story


def _find_order(story: Story) -> None:
    record = story.record
    assert record is not None
    found: Order | None = None
    for t in reversed(story.customer_turns):
        for ref, _, _ in order_refs(t.text):
            found = found or record.order(ref)
    if found is None:
        for hit in story.escalation.hits:
            for e in hit.evidence:
                m = ORDER_EVIDENCE.match(e.quote or "")
                if m and e.note.startswith("record"):
                    found = found or record.order(m.group(1))
    paying = any(PAYMENT.search(t.text) for t in story.customer_turns)
    if found is None and record.orders and not paying:
        dated = [o for o in record.orders if o.placed_at is not None]
        found = max(dated, key=lambda o: o.placed_at or datetime.min) if dated \
            else record.orders[-1]
    if found is not None:
        story.order = found
        story.facts = record.facts().order(found.id)


def _find_cart(story: Story) -> None:
    record = story.record
    assert record is not None
    cart = record.open_cart()
    paying = any(PAYMENT.search(t.text) for t in story.customer_turns)
    if cart is not None and (cart.payment_error or paying) and (paying or story.order is None):
        story.cart = cart


def _amount(story: Story) -> None:
    for hit in story.escalation.hits:
        for e in hit.evidence:
            if e.figure is not None and e.note in ("amount asked", "amount in question"):
                story.amount, story.currency = e.figure, e.unit or story.currency
                return
    if story.facts is not None:
        story.amount, story.currency = story.facts.outstanding, story.facts.currency


def _dates(story: Story, policy: Policy) -> None:
    edge = policy.triggers.policy_edge
    f = story.facts
    if f is None:
        return
    if edge.record_windows:
        story.window = f.return_window_days or story.window
        story.warranty = f.warranty_days or story.warranty
    if f.delivered_at is not None:
        days = (story.now - f.delivered_at).days
        story.days_since_delivery = days
        story.days_over = days - story.window if days > story.window else None
        story.warranty_over = days - story.warranty if days > story.warranty else None
    elif f.expected_at is not None and f.status not in ("cancelled", "returned", "refunded"):
        late = (story.now - f.expected_at).days
        story.days_late = late if late >= max(edge.late_delivery_days, 1) else None


def _faults(story: Story) -> None:
    said = max((ORDINALS[m.group(1).lower()] for t in story.customer_turns
                for m in NTH_TIME.finditer(t.text)), default=None)
    earlier = story.facts.fault_reports if story.facts is not None else 0
    if earlier and (story.topics & set(FAULTY) or said):
        story.nth_fault = max(earlier + 1, said or 0)
    elif said and story.topics & set(FAULTY):
        story.nth_fault = said


def situation(story: Story, available: tuple[str, ...]) -> str:
    """The first situation in `available` (precedence order) whose condition holds."""
    for name in available:
        if _holds(story, name):
            return name
    return "fallback"


def _holds(s: Story, name: str) -> bool:
    order, topics, kinds = s.order, s.topics, s.kinds
    outside = order is not None and s.days_over is not None and s.wants_refund
    dispatched = order is not None and order.dispatched
    conditions = {
        "chargeback": "chargeback" in topics,
        "repeated_fault": order is not None and (s.nth_fault or 0) >= 2,
        "refund_outside_window_high_value": outside and s.high_value,
        "refund_outside_window": outside,
        "refund_over_threshold": "refund_request" in topics and "money_risk" in kinds
                                 and "refund" in kinds["money_risk"],
        "cancel_before_dispatch": "cancellation" in topics and order is not None
                                  and not dispatched,
        "cancel_after_dispatch": "cancellation" in topics and dispatched,
        "address_after_dispatch": "address_change" in topics and dispatched,
        "late_delivery": order is not None and s.days_late is not None,
        "warranty": s.faulty and order is not None and s.warranty_over is not None,
        "payment_failed_cart": s.cart is not None and s.cart.payment_error is not None,
        "price_match": "price_match" in topics,
        "discount_exception": "discount_exception" in topics,
        "cancellation": "cancellation" in topics,
        "refund": "refund_request" in topics,
        "emotion": "negative_emotion" in kinds,
        "looping": "looping" in kinds,
        "low_confidence": "low_confidence" in kinds,
        "human_request": "human_request" in kinds,
        "fallback": True,
    }
    return conditions.get(name, False)
