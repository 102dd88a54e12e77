"""`policy_edge`: a request that bends a store rule, checked against the record.

Returns outside the window (days since delivery from the record, or the customer's
own words), faults outside the warranty (same), price matches and discount
exceptions, and address changes for an order already dispatched. The record is
the authority when it knows the order: a return 10 days after delivery is fine
whatever the customer fears. Each hit cites the rule and the record fields used,
so a reviewer can check the figure. One hit per turn, carrying every reason.
"""

from __future__ import annotations

import re

from warmline.domain.hits import Evidence, TriggerHit
from warmline.domain.money import order_in_question
from warmline.domain.topics import TopicCue, cues
from warmline.domain.triggers.base import TurnContext

KIND = "policy_edge"
TOPICS = ("return", "refund_request", "late_return", "address_change", "price_match",
          "discount_exception", "warranty", "fault")
SHIPPED_WORDS = re.compile(r"\b(?:shipped|dispatched|sent out|on (?:its|the) way|in transit|"
                           r"out for delivery|already (?:sent|posted))\b")


def detect(ctx: TurnContext) -> list[TriggerHit]:
    if not ctx.is_customer:
        return []
    rule = ctx.policy.triggers.policy_edge
    turn, idx = ctx.turn, ctx.turn.index
    found = {c.topic: c for c in cues(turn.text, TOPICS)}
    order = order_in_question(turn.text, ctx.record)
    delivered = order.delivered_at if order is not None else None
    days = (ctx.now - delivered).days if delivered is not None else None
    hits: list[tuple[str, tuple[Evidence, ...]]] = []

    def said(c: TopicCue, note: str) -> Evidence:
        return Evidence.span(idx, turn.text, c.start, c.end, note=note)

    def since_delivery(limit: int, setting: str) -> Evidence:
        assert order is not None and delivered is not None and days is not None
        return Evidence(turn=idx, quote=f"order {order.id} delivered {delivered:%Y-%m-%d}",
                        figure=days - limit, unit="days over",
                        note=f"record: orders.delivered_at ({days} days ago); "
                             f"policy: policy_edge.{setting} = {limit} days")

    asked = found.get("return") or found.get("refund_request") or found.get("late_return")
    if asked is not None and days is not None and days > rule.return_window_days:
        over = days - rule.return_window_days
        hits.append((f"return {over} days outside the {rule.return_window_days}-day window",
                     (said(asked, "return asked"),
                      since_delivery(rule.return_window_days, "return_window_days"))))
    elif "late_return" in found and days is None:
        hits.append(("return outside the window (customer's words)",
                     (said(found["late_return"], "outside the return window"),)))
    fault = found.get("fault")
    if "warranty" in found and (days is None or days > rule.warranty_days):
        hits.append(("claim outside the warranty (customer's words)",
                     (said(found["warranty"], "outside the warranty"),)))
    elif fault is not None and days is not None and days > rule.warranty_days:
        hits.append((f"fault {days - rule.warranty_days} days after the "
                     f"{rule.warranty_days}-day warranty ended",
                     (said(fault, "fault reported"),
                      since_delivery(rule.warranty_days, "warranty_days"))))
    if rule.price_match and "price_match" in found:
        hits.append(("price-match request", (said(found["price_match"], "price match"),)))
    if rule.discount_exceptions and "discount_exception" in found:
        hits.append(("discount exception",
                     (said(found["discount_exception"], "discount exception"),)))
    address = found.get("address_change")
    if rule.address_change_after_dispatch and address is not None:
        if order is not None and order.dispatched:
            when = f"{order.dispatched_at:%Y-%m-%d}" if order.dispatched_at else "unknown"
            ev = Evidence(turn=idx, quote=f"order {order.id} status {order.status}",
                          note=f"record: orders.status = {order.status}; "
                               f"orders.dispatched_at = {when}")
            hits.append(("address change after dispatch", (said(address, "address change"), ev)))
        elif order is None and SHIPPED_WORDS.search(turn.text.lower()):
            hits.append(("address change after dispatch (customer's words)",
                         (said(address, "address change"),)))
    if not hits:
        return []
    return [TriggerHit(KIND, idx, "; ".join(r for r, _ in hits),
                       tuple(e for _, evs in hits for e in evs))]
