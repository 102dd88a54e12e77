"""Money helpers: converting amounts and finding the order a message is about."""

from __future__ import annotations

from warmline.domain.policy import MoneyRiskRule
from warmline.domain.record import CustomerFacts, OrderFacts
from warmline.domain.text import order_refs


def to_policy_currency(rule: MoneyRiskRule, value: float, currency: str | None) -> float:
    rate = rule.fx.get(currency or rule.currency)
    return value * rate if rate is not None else value


def order_in_question(text: str, record: CustomerFacts | None) -> OrderFacts | None:
    """The order the message names, else the customer's latest order."""
    if record is None:
        return None
    for ref, _, _ in order_refs(text):
        found = record.order(ref)
        if found:
            return found
    return record.latest_order()
