"""`policy_edge`: a request that bends a store rule, checked against the record.

Returns outside the window (days since delivery from the record, or the customer's
own words), faults outside the warranty (same), price matches and discount
exceptions, address changes for an order already dispatched, questions about an order
past its promised delivery date, and a fault reported again on an order the record
already holds fault reports for. The window and warranty are the order's product
line's when the record has them (`record_windows`), else the policy's. The record is
the authority when it knows the order: a return 10 days after delivery is fine
whatever the customer fears. Each hit cites the rule and the record fields used,
so a reviewer can check the figure. One hit per turn, carrying every reason.
"""

from __future__ import annotations

import re

from warmline.domain.hits import Evidence, TriggerHit
from warmline.domain.judge.money import order_in_question
from warmline.domain.judge.topics import TopicCue, cues
from warmline.domain.judge.triggers.base import TurnContext
from warmline.domain.record.facts import OrderFacts

KIND = "policy_edge"
TOPICS = ("return", "refund_request", "late_return", "address_change", "price_match",
          "discount_exception", "warranty", "fault")
DELIVERY_WORDS = re.compile(r"\b(?:where(?:'s| is)|arriv\w*|deliver\w*|late|still (?:not|"
                            r"waiting|hasn't|haven't|no)|track\w*|hasn'?t (?:come|shown)|"
                            r"not (?:here|arrived|received)|waiting|supposed to (?:come|"
                            r"arrive|be here))\b")
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
    window, warranty = rule.return_window_days, rule.warranty_days
    window_src = warranty_src = "policy: policy_edge"
    if rule.record_windows and order is not None:
        if order.return_window_days:
            window, window_src = order.return_window_days, "record: product_lines"
        if order.warranty_days:
            warranty, warranty_src = order.warranty_days, "record: product_lines"

    def said(c: TopicCue, note: str) -> Evidence:
        return Evidence.span(idx, turn.text, c.start, c.end, note=note)

    def since_delivery(limit: int, setting: str, source: str) -> Evidence:
        assert order is not None and delivered is not None and days is not None
        return Evidence(turn=idx, quote=f"order {order.id} delivered {delivered:%Y-%m-%d}",
                        figure=days - limit, unit="days over",
                        note=f"record: orders.delivered_at ({days} days ago); "
                             f"{source}.{setting} = {limit} days")

    asked = found.get("return") or found.get("refund_request") or found.get("late_return")
    if asked is not None and days is not None and days > window:
        hits.append((f"return {days - window} days outside the {window}-day window",
                     (said(asked, "return asked"),
                      since_delivery(window, "return_window_days", window_src))))
    elif "late_return" in found and days is None:
        hits.append(("return outside the window (customer's words)",
                     (said(found["late_return"], "outside the return window"),)))
    fault = found.get("fault")
    if "warranty" in found and (days is None or days > warranty):
        hits.append(("claim outside the warranty (customer's words)",
                     (said(found["warranty"], "outside the warranty"),)))
    elif fault is not None and days is not None and days > warranty:
        hits.append((f"fault {days - warranty} days after the {warranty}-day warranty ended",
                     (said(fault, "fault reported"),
                      since_delivery(warranty, "warranty_days", warranty_src))))
    elif fault is not None and order is not None and rule.repeat_fault_after \
            and order.fault_reports >= rule.repeat_fault_after:
        hits.append((f"fault reported again: {order.fault_reports} earlier fault reports on "
                     f"order {order.id}",
                     (said(fault, "fault reported"),
                      Evidence(turn=idx, quote=f"order {order.id}",
                               figure=order.fault_reports, unit="earlier fault reports",
                               note="record: interactions (topic fault) on this order; "
                                    "policy: policy_edge.repeat_fault_after = "
                                    f"{rule.repeat_fault_after}"))))
    late = _late(ctx, order)
    if late is not None:
        hits.append(late)
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


def _late(ctx: TurnContext, order: OrderFacts | None) -> tuple[str, tuple[Evidence, ...]] | None:
    """A question about an order past its promised delivery date by `late_delivery_days`."""
    rule, turn = ctx.policy.triggers.policy_edge, ctx.turn
    if not rule.late_delivery_days or order is None or order.expected_at is None \
            or order.delivered_at is not None \
            or order.status in ("cancelled", "returned", "refunded", "delivered"):
        return None
    days = (ctx.now - order.expected_at).days
    m = DELIVERY_WORDS.search(turn.text.lower())
    if days < rule.late_delivery_days or m is None:
        return None
    return (f"order {order.id} {days} days past its promised delivery date",
            (Evidence.span(turn.index, turn.text, m.start(), m.end(), note="delivery asked"),
             Evidence(turn=turn.index, quote=f"order {order.id} due {order.expected_at:%Y-%m-%d}",
                      figure=days, unit="days late",
                      note=f"record: orders.expected_at; orders.status = {order.status}; "
                           f"policy: policy_edge.late_delivery_days = {rule.late_delivery_days}")))
