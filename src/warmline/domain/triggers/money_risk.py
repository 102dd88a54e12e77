"""`money_risk`: money or risk above the policy's thresholds.

Refund requests over `refund_over` (the amount from the text, else the total of the
order in question from the record), orders in question over `order_over`, any
cancellation request, chargeback or legal threats. Amounts are converted into the
policy currency with the policy's `fx` table before comparing. One hit per turn,
carrying every reason, so a refund and a chargeback threat are one decision.
"""

from __future__ import annotations

from warmline.domain.hits import Evidence, TriggerHit
from warmline.domain.money import order_in_question, to_policy_currency
from warmline.domain.text import Amount, find_amounts
from warmline.domain.topics import cues
from warmline.domain.triggers.base import TurnContext

KIND = "money_risk"


def detect(ctx: TurnContext) -> list[TriggerHit]:
    if not ctx.is_customer:
        return []
    rule = ctx.policy.triggers.money_risk
    turn, idx = ctx.turn, ctx.turn.index
    found = {c.topic: c for c in cues(turn.text, ("refund_request", "cancellation", "chargeback"))}
    hits: list[tuple[str, tuple[Evidence, ...]]] = []

    def said(topic: str, note: str) -> Evidence:
        c = found[topic]
        return Evidence.span(idx, turn.text, c.start, c.end, note=note)

    if rule.chargeback and "chargeback" in found:
        hits.append(("chargeback or legal threat", (said("chargeback", "threat"),)))
    if rule.cancellation and "cancellation" in found:
        hits.append(("cancellation request", (said("cancellation", "cancellation"),)))
    amounts = find_amounts(turn.text)
    refund = "refund_request" in found
    if refund:
        ev, value, cur = _refund_amount(ctx, amounts)
        if ev is not None and to_policy_currency(rule, value, cur) > rule.refund_over:
            reason = (f"refund of {value:.2f} {cur} over the {rule.refund_over:.0f} "
                      f"{rule.currency} threshold")
            hits.append((reason, (said("refund_request", "refund"), ev)))
    big = [a for a in amounts if to_policy_currency(rule, a.value, a.currency) > rule.order_over]
    if big and not refund:
        a = big[0]
        ev = Evidence.span(idx, turn.text, a.start, a.end, figure=a.value, unit=a.currency,
                           note="amount in question")
        hits.append((f"amount over the {rule.order_over:.0f} {rule.currency} threshold", (ev,)))
    if not hits:
        return []
    return [TriggerHit(KIND, idx, "; ".join(r for r, _ in hits),
                       tuple(e for _, evs in hits for e in evs))]


def _refund_amount(ctx: TurnContext,
                   amounts: list[Amount]) -> tuple[Evidence | None, float, str | None]:
    """The amount a refund is about: the largest in the text, else the order's total."""
    rule, turn = ctx.policy.triggers.money_risk, ctx.turn
    if amounts:
        a = max(amounts, key=lambda a: to_policy_currency(rule, a.value, a.currency))
        return (Evidence.span(turn.index, turn.text, a.start, a.end, figure=a.value,
                              unit=a.currency, note="amount asked"), a.value, a.currency)
    order = order_in_question(turn.text, ctx.record)
    if order is None:
        return None, 0.0, None
    return (Evidence(turn=turn.index, quote=f"order {order.id}", figure=order.total,
                     unit=order.currency, note="record: orders.total"),
            order.total, order.currency)
