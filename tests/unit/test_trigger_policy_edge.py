"""policy_edge: requests that bend a store rule, checked against the commerce record."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from tests.unit.conftest import NOW, Session, customer, customer_says, order, policy_with

from warmline.domain.record.facts import CustomerFacts

KIND = "policy_edge"
LATE = customer(order("3307", total=89.0, placed_days_ago=52, dispatched_days_ago=49,
                      delivered_days_ago=45))
RECENT = customer(order("3307", total=89.0, placed_days_ago=16, dispatched_days_ago=14,
                        delivered_days_ago=10))
OLD = customer(order("1120", total=59.0, placed_days_ago=806, dispatched_days_ago=804,
                     delivered_days_ago=800))
DISPATCHED = customer(order("4410", total=42.0, status="dispatched", placed_days_ago=3,
                            dispatched_days_ago=1, delivered_days_ago=None))
PLACED = customer(order("5120", total=42.0, status="paid", placed_days_ago=1,
                        dispatched_days_ago=None, delivered_days_ago=None))

EDGES: list[tuple[str, CustomerFacts | None]] = [
    ("Can I return the jacket from order #3307? It doesn't fit.", LATE),
    ("i want to send it back, the colour is wrong", LATE),
    ("I'd like a refund for the lamp", LATE),
    ("can I exchange it for a bigger size?", LATE),
    ("I know it's past the 30 days but can I still return it?", None),
    ("I missed the return window by a few days, any chance?", None),
    ("do you price match? it's £20 cheaper on amazon", None),
    ("Found it cheaper at John Lewis, can you match the price?", None),
    ("It's my birthday, could you give me a special discount on the sofa?", None),
    ("my discount code expired yesterday, can you still apply it?", None),
    ("I forgot to use my coupon, can you apply it to my last order?", None),
    ("the sale ended yesterday, can I still get the sale price?", None),
    ("I need to change the delivery address for order 4410", DISPATCHED),
    ("wrong address on my order!! can you update it", DISPATCHED),
    ("can you redirect it to my office instead", DISPATCHED),
    ("it's already shipped but I moved, can I change the address?", None),
    ("the kettle stopped working, is it still under warranty?", OLD),
    ("it's out of warranty I know, but can you fix it?", None),
    ("Can you make an exception on the return date?", None),
    ("do you match prices?", None),
]

WITHIN_RULES: list[tuple[str, CustomerFacts | None]] = [
    ("Can I return the jacket? It doesn't fit.", RECENT),
    ("how do I return something?", RECENT),
    ("I'd like a refund", RECENT),
    ("Can I exchange the shirt for a medium?", RECENT),
    ("I know it's past the 30 days", RECENT),  # the record says 10 days: it is not
    ("I need to change the delivery address", PLACED),
    ("what's your return policy?", LATE),
    ("where do I print the return label?", LATE),
    ("I don't want to return it, I love it", LATE),
    ("do you have any discounts on at the moment?", None),
    ("what's the warranty on this kettle?", RECENT),
    ("the kettle stopped working", RECENT),
    ("I used the discount code, works great, thanks", None),
    ("is the price the same in store?", None),
    ("the colour doesn't match the photo", None),
    ("please update my address in my account for next time", DISPATCHED),
    ("no need to change the address, it's correct", DISPATCHED),
    ("my address is 12 Rue de Rivoli, Paris", PLACED),
    ("it stopped working after 3 days, can you send a new one?", None),
    ("delivery took over 10 days, is that normal?", None),
]


@pytest.mark.parametrize(("text", "record"), EDGES)
def test_fires_on_requests_that_bend_a_rule(text: str, record: CustomerFacts | None) -> None:
    hits = customer_says(KIND, text, record=record)
    assert [h.kind for h in hits] == [KIND], text
    for ev in hits[0].evidence:
        if ev.start is not None:
            assert text[ev.start:ev.end] == ev.quote


@pytest.mark.parametrize(("text", "record"), WITHIN_RULES)
def test_stays_quiet_on_requests_within_the_rules(text: str,
                                                  record: CustomerFacts | None) -> None:
    assert customer_says(KIND, text, record=record) == [], text


def test_return_outside_the_window_cites_the_record_and_the_days_over() -> None:
    (hit,) = customer_says(KIND, "Can I return the jacket from order #3307?", record=LATE)
    said, record = hit.evidence
    assert said.quote == "return"
    assert (record.figure, record.unit) == (15, "days over")
    assert "orders.delivered_at" in record.note and "return_window_days" in record.note
    assert record.quote == f"order 3307 delivered {(NOW - timedelta(days=45)):%Y-%m-%d}"
    assert "15 days outside the 30-day window" in hit.reason


def test_a_longer_window_in_the_policy_lets_the_same_return_through() -> None:
    policy = policy_with(policy_edge={"return_window_days": 60})
    assert customer_says(KIND, "can I return it?", record=LATE, policy=policy) == []


def test_address_change_after_dispatch_cites_the_order_status() -> None:
    (hit,) = customer_says(KIND, "can I change my shipping address?", record=DISPATCHED)
    record = hit.evidence[1]
    assert "orders.status = dispatched" in record.note
    assert "orders.dispatched_at" in record.note


def test_fault_after_the_warranty_cites_the_days_since_delivery() -> None:
    (hit,) = customer_says(KIND, "my kettle is broken", record=OLD)
    record = hit.evidence[1]
    assert (record.figure, record.unit) == (70, "days over")
    assert "warranty_days" in record.note


@pytest.mark.parametrize(("setting", "text"), [
    ("price_match", "do you price match?"),
    ("discount_exceptions", "could you give me a special discount?"),
    ("address_change_after_dispatch", "please change my delivery address"),
])
def test_switched_off_rules_do_not_fire(setting: str, text: str) -> None:
    policy = policy_with(policy_edge={setting: False})
    assert customer_says(KIND, text, record=DISPATCHED)
    assert customer_says(KIND, text, record=DISPATCHED, policy=policy) == []


def test_escalates_at_once_with_the_default_policy() -> None:
    decision = Session(record=LATE).say("customer", "I'd like to return the jacket")
    assert decision.escalate and [h.kind for h in decision.firing] == [KIND]


def test_agent_turns_never_fire() -> None:
    s = Session(record=LATE)
    s.say("customer", "hi")
    decision = s.say("agent", "You can return it within 30 days of delivery.", 0.9)
    assert [h for h in decision.hits if h.kind == KIND] == []


# --- live record: product-line windows, late deliveries, repeated faults ------------------

def test_the_product_lines_window_from_the_record_wins_over_the_policy() -> None:
    generous = customer(replace(order("3307", delivered_days_ago=45), return_window_days=60))
    assert customer_says(KIND, "can I return order 3307?", record=generous) == []
    strict = customer(replace(order("3307", delivered_days_ago=20), return_window_days=14))
    (hit,) = customer_says(KIND, "can I return order 3307?", record=strict)
    assert "6 days outside the 14-day window" in hit.reason
    assert "record: product_lines.return_window_days = 14" in hit.evidence[1].note
    off = policy_with(policy_edge={"record_windows": False})
    assert customer_says(KIND, "can I return order 3307?", record=strict, policy=off) == []


def test_the_product_lines_warranty_from_the_record_is_used() -> None:
    short = customer(replace(order("1120", delivered_days_ago=400), warranty_days=365))
    (hit,) = customer_says(KIND, "my kettle is broken", record=short)
    assert "35 days after the 365-day warranty" in hit.reason


OVERDUE = customer(replace(order("5120", status="dispatched", delivered_days_ago=None),
                        expected_at=NOW - timedelta(days=6)))


@pytest.mark.parametrize("text", [
    "where is my order 5120?", "my mixer still hasn't arrived", "it was supposed to come "
    "last week", "any tracking update? I'm still waiting"])
def test_a_question_about_an_order_past_its_promised_date_fires(text: str) -> None:
    (hit,) = customer_says(KIND, text, record=OVERDUE)
    assert "6 days past its promised delivery date" in hit.reason
    said, record = hit.evidence
    assert text[said.start:said.end] == said.quote
    assert (record.figure, record.unit) == (6, "days late")
    assert "orders.expected_at" in record.note and "late_delivery_days = 3" in record.note


@pytest.mark.parametrize(("text", "record"), [
    ("where is my order 5120?", customer(replace(order("5120", status="dispatched",
                                                       delivered_days_ago=None),
                                                 expected_at=NOW - timedelta(days=2)))),
    ("do you sell gift cards?", OVERDUE),
    ("where is my order?", customer(replace(order("5120"), expected_at=NOW - timedelta(
        days=30)))),  # delivered: not late
])
def test_not_late_enough_or_not_asked_about_stays_quiet(text: str,
                                                       record: CustomerFacts) -> None:
    assert customer_says(KIND, text, record=record) == []


def test_a_fault_reported_again_cites_the_earlier_reports() -> None:
    twice = customer(replace(order("7300", delivered_days_ago=100), fault_reports=2))
    (hit,) = customer_says(KIND, "my kettle stopped working again", record=twice)
    assert "2 earlier fault reports on order 7300" in hit.reason
    assert hit.evidence[1].figure == 2 and "repeat_fault_after = 2" in hit.evidence[1].note
    once = customer(replace(order("7300", delivered_days_ago=100), fault_reports=1))
    assert customer_says(KIND, "my kettle stopped working again", record=once) == []
    off = policy_with(policy_edge={"repeat_fault_after": 0})
    assert customer_says(KIND, "my kettle stopped working", record=twice, policy=off) == []
