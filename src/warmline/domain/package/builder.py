"""Build the context package when a conversation escalates — no LLM, from facts only.

The summary's two sentences, the next step and the human's first message are written
from the same `Story` (domain/package/story.py): the order in question and its dates, the
amounts, the triggers' evidence, what the agent already did (its actions and links)
and what the record shows was tried before. Every figure in the text comes from the
conversation or the record, so a reviewer can check it against the package itself.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from warmline.domain.events import EscalationTriggered
from warmline.domain.formats import day, money, ordinal
from warmline.domain.judge.decision import public_hit
from warmline.domain.judge.signals import Signals
from warmline.domain.judge.topics import cues
from warmline.domain.model import Conversation
from warmline.domain.package.contents import (
    ContextPackage,
    NextStep,
    Quote,
    Refs,
    SentimentPoint,
    Summary,
    sentiment_label,
    trend_of,
)
from warmline.domain.package.next_steps import SITUATIONS
from warmline.domain.package.story import PAYMENT, Story, read_story, situation
from warmline.domain.package.wording import first_message, tried, wants
from warmline.domain.policy import Policy
from warmline.domain.record.commerce import CustomerRecord, Interaction
from warmline.domain.text import find_amounts, order_refs

SENTENCE = re.compile(r"\S(?:[^\n]*?)(?:[.!?](?=\s|$)|$)", re.MULTILINE)


def build_package(conv: Conversation, escalation: EscalationTriggered, *,
                  record: CustomerRecord | None, history: Sequence[Interaction] = (),
                  signals: Signals, policy: Policy, now: datetime) -> ContextPackage:
    """The package for `escalation` of `conv`, with `record` as read right now."""
    story = read_story(conv, escalation, record, policy, now)
    rules = policy.context.next_steps
    active = tuple(name for name in SITUATIONS if rules.render(name, {}) is not None)
    rule = situation(story, active)
    step = rules.render(rule, _placeholders(story)) or ""
    points = tuple(SentimentPoint(t.index, round(score, 3), sentiment_label(score))
                   for t in story.customer_turns
                   for score in [signals.sentiment(t.text)])
    customer = record.customer if record is not None else None
    return ContextPackage(
        conversation_id=conv.id, built_at=now, turn=escalation.turn,
        policy_version=escalation.policy_version, channel=conv.channel,
        summary=Summary(wants(story, rule), tried(story)),
        next_step=NextStep(rule, _sentence(step)),
        first_message=first_message(story, rule),
        refs=Refs(conv.customer_ref,
                  tuple(o for o in [story.order.id if story.order else None] if o),
                  story.cart.id if story.cart else None),
        language=customer.language if customer else "en",
        customer_name=customer.name if customer else "",
        triggers=tuple(public_hit(h) for h in escalation.hits),
        sentiment=points, trend=trend_of(points),
        quotes=_quotes(story, points, policy.context.quotes),
        history=_history(record, history, conv.id, policy.context.history),
        record=record.to_dict() if record is not None else None)


def _placeholders(s: Story) -> dict[str, object]:
    o = s.order
    values: dict[str, object] = {
        "order": f"#{o.id}" if o else None,
        "for_order": f" for order #{o.id}" if o else "",
        "items": (o.items if o else None) or (s.cart.lines[0].name if s.cart and s.cart.lines
                                              else None),
        "amount": money(s.amount, s.currency) if s.amount is not None else None,
        "threshold": money(s.threshold, s.policy_currency),
        "window": s.window, "warranty": s.warranty,
        "days_over": s.days_over if s.days_over is not None else s.warranty_over,
        "days_late": s.days_late,
        "nth": ordinal(s.nth_fault) if s.nth_fault else None,
        "carrier": (o.carrier if o else None) or "the carrier",
        "tracking": o.tracking_url if o else None,
        "dispatched": day(o.dispatched_at) if o and o.dispatched_at else None,
        "cart_total": money(s.cart.total, s.cart.currency) if s.cart else None,
        "payment_error": s.cart.payment_error if s.cart else None,
        "reason": "; ".join(s.kinds.values()),
        "customer": customer_line(s),
    }
    return values


def customer_line(s: Story) -> str:
    """"customer is VIP" or "customer since 2023, 4 orders, lifetime value €410.00"."""
    if s.record is None:
        return "customer not in the record"
    c = s.record.customer
    parts = []
    if s.high_value:
        vip = any(t.lower() == "vip" for t in c.tags)
        parts.append("customer is VIP" if vip else "high-value customer")
    else:
        since = f"customer since {c.created_at:%Y}" if c.created_at else "customer"
        parts.append(since)
    n = len(s.record.orders)
    parts.append(f"{n} order{'s' if n != 1 else ''}" if n else "no orders yet")
    parts.append(f"lifetime value {money(c.lifetime_value, c.currency)}")
    return ", ".join(parts)


def _sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:] + ("" if text.endswith((".", "!", "?")) else ".")


def _quotes(s: Story, points: tuple[SentimentPoint, ...], limit: int) -> tuple[Quote, ...]:
    """The customer's sentences that carry evidence, strong feeling or figures."""
    spans: dict[int, list[tuple[int, int, str]]] = {}
    for hit in s.escalation.hits:
        for e in hit.evidence:
            if e.start is not None and e.end is not None:
                spans.setdefault(e.turn, []).append((e.start, e.end, hit.kind))
    mood = {p.turn: p.label for p in points}
    ranked: list[tuple[int, int, int, Quote]] = []
    for t in s.customer_turns:
        for m in SENTENCE.finditer(t.text):
            text = m.group().strip()
            if len(text) < 3:
                continue
            why, rank = "", 9
            kinds = [k for a, b, k in spans.get(t.index, []) if a < m.end() and m.start() < b]
            if kinds:
                why, rank = f"evidence for {', '.join(dict.fromkeys(kinds))}", 0
            elif mood.get(t.index) == "angry":
                why, rank = "strong feeling", 1
            elif order_refs(text) or find_amounts(text):
                why, rank = "names an order or an amount", 2
            elif cues(text) or (s.cart is not None and PAYMENT.search(text)):
                why, rank = "what they asked for", 3
            if why:
                ranked.append((rank, t.index, m.start(), Quote(t.index, text, why)))
    seen: set[str] = set()
    picked = []
    for _, turn, start, q in sorted(ranked, key=lambda r: (r[0], r[1], r[2])):
        if q.text.lower() not in seen:
            seen.add(q.text.lower())
            picked.append((turn, start, q))
    return tuple(q for _, _, q in sorted(picked[:limit], key=lambda x: (x[0], x[1])))


def _history(record: CustomerRecord | None, own: Sequence[Interaction], conversation_id: str,
             limit: int) -> tuple[dict[str, Any], ...]:
    """Past conversations and handoffs, newest first: the brand's and Warmline's own."""
    items = [i for i in [*(record.interactions if record else ()), *own]
             if i.id != conversation_id]
    items.sort(key=lambda i: i.started_at.timestamp() if i.started_at else 0.0,
               reverse=True)
    return tuple({"id": i.id, "channel": i.channel,
                  "started_at": i.started_at.isoformat() if i.started_at else None,
                  "topic": i.topic, "summary": i.summary, "order_id": i.order_id,
                  "handed_off": i.handed_off, "outcome": i.outcome}
                 for i in items[:limit])
