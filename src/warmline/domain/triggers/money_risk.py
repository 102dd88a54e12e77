"""`money_risk`: money or risk above the policy's thresholds.

Refund requests over `refund_over` (amount from the text or the order in the record),
orders in question over `order_over`, any cancellation, chargeback or legal threats.
Amounts are converted into the policy currency with the policy's `fx` table.
"""

from __future__ import annotations

from warmline.domain.hits import Evidence, TriggerHit
from warmline.domain.money import order_in_question, to_policy_currency
from warmline.domain.text import find_amounts
from warmline.domain.topics import cues
from warmline.domain.triggers.base import TurnContext

KIND = "money_risk"


def detect(ctx: TurnContext) -> list[TriggerHit]:
    if not ctx.is_customer:
        return []
    rule = ctx.policy.triggers.money_risk
    turn, idx = ctx.turn, ctx.turn.index
    found = {c.topic: c for c in cues(turn.text, ("refund_request", "cancellation", "chargeback"))}
    hits: list[TriggerHit] = []

    def span(topic: str, note: str, **kw: object) -> Evidence:
        c = found[topic]
        return Evidence.span(idx, turn.text, c.start, c.end, note=note, **kw)  # type: ignore[arg-type]

    if rule.chargeback and "chargeback" in found:
        hits.append(TriggerHit(KIND, idx, "chargeback or legal threat",
                               (span("chargeback", "threat"),)))
    if rule.cancellation and "cancellation" in found:
        hits.append(TriggerHit(KIND, idx, "cancellation request",
                               (span("cancellation", "cancellation"),)))
    amounts = find_amounts(turn.text)
    if "refund_request" in found:
        order = order_in_question(turn.text, ctx.record)
        if amounts:
            a = max(amounts, key=lambda a: to_policy_currency(rule, a.value, a.currency))
            value, cur, ev = a.value, a.currency, Evidence.span(
                idx, turn.text, a.start, a.end, figure=a.value, unit=a.currency,
                note="amount asked")
        elif order is not None:
            value, cur = order.total, order.currency
            ev = Evidence(turn=idx, quote=f"order {order.id}", figure=order.total,
                          unit=order.currency, note="record: order total")
        else:
            value, cur, ev = 0.0, None, None
        converted = to_policy_currency(rule, value, cur)
        if ev is not None and converted > rule.refund_over:
            reason = (f"refund of {value:.2f} {cur} over the {rule.refund_over:.0f} "
                      f"{rule.currency} threshold")
            hits.append(TriggerHit(KIND, idx, reason, (span("refund_request", "refund"), ev)))
    if not any(h.reason.startswith("refund") for h in hits):
        big = [a for a in amounts
               if to_policy_currency(rule, a.value, a.currency) > rule.order_over]
        if big:
            a = big[0]
            ev = Evidence.span(idx, turn.text, a.start, a.end, figure=a.value, unit=a.currency,
                               note="amount in question")
            hits.append(TriggerHit(KIND, idx, f"amount over the {rule.order_over:.0f} "
                                   f"{rule.currency} threshold", (ev,)))
    return hits[:1] if len(hits) == 1 else _merge(hits)


def _merge(hits: list[TriggerHit]) -> list[TriggerHit]:
    """One hit per turn and kind, carrying every reason and piece of evidence."""
    if not hits:
        return []
    evidence = tuple(e for h in hits for e in h.evidence)
    return [TriggerHit(KIND, hits[0].turn, "; ".join(h.reason for h in hits), evidence)]
