"""`money_risk`: money or risk above the policy's thresholds.

Refund requests over `refund_over` (the amount from the text, else what is still
refundable on the order in question: its total less the refunds the record shows), or
over `high_value_refund_over` for a high-value customer (a record tag or lifetime value),
a refund asked again for an order already refunded in full, orders in question over
`order_over`, any cancellation request, chargeback or legal threats. Amounts are converted into the
policy currency with the policy's `fx` table before comparing. One hit per turn,
carrying every reason, so a refund and a chargeback threat are one decision.
"""

from __future__ import annotations

from warmline.domain.hits import Evidence, TriggerHit
from warmline.domain.judge.money import order_in_question, to_policy_currency
from warmline.domain.judge.topics import cues
from warmline.domain.judge.triggers.base import TurnContext
from warmline.domain.text import Amount, find_amounts

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
        valued = _high_value(ctx)
        limit = rule.high_value_refund_over if valued is not None else rule.refund_over
        if ev is not None and to_policy_currency(rule, value, cur) > limit:
            reason = (f"refund of {value:.2f} {cur} over the {limit:.0f} {rule.currency} "
                      f"threshold" + (" for high-value customers" if valued else ""))
            hits.append((reason, (said("refund_request", "refund"), ev,
                                  *((valued,) if valued else ()))))
        again = _refunded_already(ctx) if rule.repeat_refund else None
        if again is not None:
            hits.append((f"refund asked again for order {again.quote.split()[1]}, already "
                         "refunded in full", (said("refund_request", "refund"), again)))
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
    if order is None or order.outstanding <= 0:
        return None, 0.0, None
    note = "record: orders.total" + (" less refunds.amount" if order.refunded else "")
    return (Evidence(turn=turn.index, quote=f"order {order.id}", figure=order.outstanding,
                     unit=order.currency, note=note),
            order.outstanding, order.currency)


def _high_value(ctx: TurnContext) -> Evidence | None:
    """Evidence that the customer is high-value (tag or lifetime value), or None."""
    rule, record = ctx.policy.triggers.money_risk, ctx.record
    if record is None:
        return None
    tags = sorted({t.lower() for t in record.tags} & {t.lower() for t in rule.high_value_tags})
    worth = rule.high_value_lifetime_value > 0 and \
        record.lifetime_value >= rule.high_value_lifetime_value
    if not tags and not worth:
        return None
    why = (f"customers.tags = {', '.join(tags)}" if tags else
           f"customers.lifetime_value ≥ policy money_risk.high_value_lifetime_value "
           f"({rule.high_value_lifetime_value:.0f})")
    return Evidence(turn=ctx.turn.index, quote=f"customer {record.ref}",
                    figure=record.lifetime_value, unit=record.currency,
                    note=f"record: {why}; lifetime value")


def _refunded_already(ctx: TurnContext) -> Evidence | None:
    order = order_in_question(ctx.turn.text, ctx.record)
    if order is None or order.refunded <= 0 or order.outstanding > 0:
        return None
    return Evidence(turn=ctx.turn.index, quote=f"order {order.id} refunded",
                    figure=order.refunded, unit=order.currency,
                    note="record: refunds.amount (issued or pending) = orders.total")
