"""Money helpers: converting amounts and finding the order a message is about."""

from __future__ import annotations

from warmline.domain.policy import MoneyRiskRule
from warmline.domain.record.facts import CustomerFacts, OrderFacts
from warmline.domain.text import order_refs


def to_policy_currency(rule: MoneyRiskRule, value: float, currency: str | None) -> float:
    """`value` in the policy currency; unknown currencies are taken at face value."""
    rate = rule.fx.get((currency or rule.currency).upper())
    return value * rate if rate is not None else value


def order_in_question(text: str, record: CustomerFacts | None) -> OrderFacts | None:
    """The order the message names, else the customer's latest order.

    A message that names an order the record does not hold is about none of the
    record's orders: guessing the latest one would cite the wrong figures.
    """
    if record is None:
        return None
    refs = order_refs(text)
    for ref, _, _ in refs:
        found = record.order(ref)
        if found:
            return found
    return None if refs else record.latest_order()
