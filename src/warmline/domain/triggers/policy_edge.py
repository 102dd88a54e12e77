"""`policy_edge`: a request that bends a store rule, checked against the record.

Returns outside the window (days since delivery from the record, or the customer's
own words), price matches and discount exceptions, address changes after dispatch,
and claims outside the warranty. Each hit cites the rule and the record fields used.
"""

from __future__ import annotations

from warmline.domain.hits import Evidence, TriggerHit
from warmline.domain.money import order_in_question
from warmline.domain.topics import TopicCue, cues
from warmline.domain.triggers.base import TurnContext

KIND = "policy_edge"
TOPICS = ("return", "refund_request", "late_return", "address_change", "price_match",
          "discount_exception", "warranty")


def detect(ctx: TurnContext) -> list[TriggerHit]:
    if not ctx.is_customer:
        return []
    rule = ctx.policy.triggers.policy_edge
    turn, idx = ctx.turn, ctx.turn.index
    found = {c.topic: c for c in cues(turn.text, TOPICS)}
    order = order_in_question(turn.text, ctx.record)

    def said(c: TopicCue, note: str) -> Evidence:
        return Evidence.span(idx, turn.text, c.start, c.end, note=note)

    wants_return = "return" in found or "refund_request" in found
    if wants_return and order is not None and order.delivered_at is not None:
        days = (ctx.now - order.delivered_at).days
        if days > rule.return_window_days:
            c = found.get("return") or found["refund_request"]
            ev = Evidence(turn=idx, quote=f"order {order.id} delivered {order.delivered_at:%Y-%m-%d}",
                          figure=days - rule.return_window_days, unit="days over",
                          note=f"record: orders.delivered_at; window {rule.return_window_days} days")
            return [TriggerHit(KIND, idx, f"return {days - rule.return_window_days} days outside "
                               f"the {rule.return_window_days}-day window",
                               (said(c, "return asked"), ev))]
    if "late_return" in found:
        return [TriggerHit(KIND, idx, "return outside the window (customer's words)",
                           (said(found["late_return"], "outside the return window"),))]
    if rule.price_match and "price_match" in found:
        return [TriggerHit(KIND, idx, "price-match request",
                           (said(found["price_match"], "price match"),))]
    if rule.discount_exceptions and "discount_exception" in found:
        return [TriggerHit(KIND, idx, "discount exception",
                           (said(found["discount_exception"], "discount exception"),))]
    if rule.address_change_after_dispatch and "address_change" in found:
        c = found["address_change"]
        if order is not None and order.dispatched:
            ev = Evidence(turn=idx, quote=f"order {order.id} status {order.status}",
                          note="record: orders.status / dispatched_at")
            return [TriggerHit(KIND, idx, "address change after dispatch",
                               (said(c, "address change"), ev))]
        lowered = turn.text.lower()
        if any(w in lowered for w in ("shipped", "dispatched", "on its way", "in transit")):
            return [TriggerHit(KIND, idx, "address change after dispatch (customer's words)",
                               (said(c, "address change"),))]
    if "warranty" in found:
        return [TriggerHit(KIND, idx, "claim outside the warranty",
                           (said(found["warranty"], "warranty"),))]
    if "return" in found and order is not None and order.delivered_at is not None:
        days = (ctx.now - order.delivered_at).days
        if days > rule.warranty_days:
            return [TriggerHit(KIND, idx, "outside the warranty period",
                               (said(found["return"], "claim"),))]
    return []
