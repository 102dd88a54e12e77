"""Suggested next steps: one rule per situation, worded by the policy.

The handoff builder (`domain/package/builder.py`) recognises the situation from the triggers
hit and the record (a refund outside the window, a third fault report, a cart that
failed at payment...) in a fixed order of precedence, the first whose template is not
empty wins, and the template is filled with figures from the record. The wording lives
in the policy YAML (`context.next_steps.*`), so a support lead can change what humans
are told to do without touching code; an empty template switches that rule off.
"""

from __future__ import annotations

import dataclasses
import string
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from warmline.domain.errors import PolicyError

#: Every placeholder a template may use; a value the situation lacks renders as "?".
PLACEHOLDERS: dict[str, str] = {
    "order": "the order in question, e.g. #1043",
    "for_order": "\" for order #1043\", or nothing when no order is in question",
    "items": "what was ordered, e.g. Aurora Blender",
    "amount": "the money in question, e.g. €184.00",
    "threshold": "the refund limit the agent may grant",
    "window": "the return window in days",
    "warranty": "the warranty in days",
    "days_over": "days past the return window or warranty",
    "days_late": "days past the promised delivery date",
    "nth": "which fault report this is (second, third...)",
    "carrier": "the carrier of the order",
    "tracking": "the tracking link",
    "dispatched": "the dispatch date",
    "cart_total": "the value of the cart",
    "payment_error": "why the payment failed",
    "reason": "the reason the trigger gave",
    "customer": "one line on the customer (VIP, tenure, lifetime value)",
}


def _rule(default: str, help: str) -> Any:
    return dataclasses.field(default=default, metadata={"help": help, "min": None,
                                                        "max": None})


@dataclass(frozen=True)
class NextStepRules:
    """Templates in order of precedence (the first situation that applies wins)."""

    chargeback: str = _rule(
        "call the customer before a dispute is opened over order {order} ({amount}); "
        "{customer}", "a chargeback or legal threat")
    repeated_fault: str = _rule(
        "offer a replacement for the {items}; this is the {nth} fault report on order "
        "{order}; {customer}", "a fault report on an order with earlier fault reports")
    refund_outside_window_high_value: str = _rule(
        "approve the refund of {amount} for order {order}, outside the {window}-day window "
        "by {days_over} days; {customer}",
        "a refund or return outside the window for a high-value customer")
    refund_outside_window: str = _rule(
        "decide on the return of order {order} ({amount}), {days_over} days outside the "
        "{window}-day window; offer store credit if you decline; {customer}",
        "a refund or return outside the window")
    refund_over_threshold: str = _rule(
        "review the refund of {amount}{for_order} (over the {threshold} the agent may "
        "grant) and approve it if the reason holds; {customer}",
        "a refund above the money_risk threshold")
    cancel_before_dispatch: str = _rule(
        "cancel order {order} ({amount}) before it ships and confirm the refund; {customer}",
        "a cancellation of an order not yet dispatched")
    cancel_after_dispatch: str = _rule(
        "order {order} left with {carrier} on {dispatched}: offer a free return instead of "
        "a cancellation; {customer}", "a cancellation of an order already dispatched")
    address_after_dispatch: str = _rule(
        "ask {carrier} to redirect order {order} (tracking {tracking}); if they cannot, "
        "have it returned to sender and re-ship; {customer}",
        "an address change after dispatch")
    late_delivery: str = _rule(
        "chase {carrier} for order {order}, {days_late} days late (tracking {tracking}), "
        "and offer a replacement or a refund of the shipping; {customer}",
        "a question about an order past its promised delivery date")
    warranty: str = _rule(
        "decide on a goodwill repair or replacement for order {order}, {days_over} days "
        "past the {warranty}-day warranty; {customer}", "a fault outside the warranty")
    payment_failed_cart: str = _rule(
        "help the customer finish the cart of {cart_total}: the payment failed "
        "({payment_error}); send a fresh payment link or offer another method; {customer}",
        "a cart abandoned after a payment error")
    price_match: str = _rule(
        "check the competitor's price for the {items} and decide on a price match; "
        "{customer}", "a price-match request")
    discount_exception: str = _rule(
        "decide on a goodwill discount; {customer}", "a discount exception")
    cancellation: str = _rule(
        "talk the customer through the cancellation and what it costs them; {customer}",
        "a cancellation without an order in the record")
    refund: str = _rule(
        "review the refund request{for_order} ({amount}) and decide; {customer}",
        "any other refund request")
    emotion: str = _rule(
        "acknowledge the frustration first, then fix the cause: {reason}; {customer}",
        "strong negative emotion")
    low_confidence: str = _rule(
        "work out what the customer needs (the agent could not): {reason}; {customer}",
        "the agent was unsure or out of its scope")
    looping: str = _rule(
        "answer the question the agent kept missing: {reason}; {customer}",
        "the agent went in circles")
    human_request: str = _rule(
        "pick up the thread: the customer asked for a person; {customer}",
        "the customer asked for a person")
    fallback: str = _rule(
        "read the summary and answer on the same thread; {customer}",
        "when no other rule applies")

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            template = getattr(self, f.name)
            for _, name, spec, conv in string.Formatter().parse(template):
                if name is None:
                    continue
                if name not in PLACEHOLDERS or spec or conv:
                    known = ", ".join(sorted(PLACEHOLDERS))
                    raise PolicyError(f"context.next_steps.{f.name}",
                                      f"unknown placeholder {{{name}}} (known: {known})")

    def render(self, situation: str, values: Mapping[str, object]) -> str | None:
        """The filled template, or None when the rule is switched off (empty)."""
        template: str = getattr(self, situation)
        if not template.strip():
            return None
        filled = {k: ("?" if values.get(k) is None else values[k]) for k in PLACEHOLDERS}
        return template.format(**filled)


SITUATIONS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(NextStepRules))
