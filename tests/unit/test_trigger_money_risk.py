"""money_risk: refunds over the threshold, cancellations, chargeback and legal threats."""

from __future__ import annotations

from dataclasses import replace

import pytest
from tests.unit.conftest import Session, customer, customer_says, order, policy_with

from warmline.domain.record.facts import CustomerFacts

KIND = "money_risk"
BLENDER = customer(order("1043", total=184.0))
CHEAP = customer(order("2051", total=64.5, status="paid", dispatched_days_ago=None,
                       delivered_days_ago=None))

RISKY: list[tuple[str, CustomerFacts | None]] = [
    ("I want a refund of €150 for the jacket", None),
    ("can i get my money back? it was $130", None),
    ("refund me the £90 please", None),
    ("I paid 120 dollars for this, I want a refund", None),
    ("I was charged $249.99 twice, I want my money back", None),
    ("please refund 1.299,00 € - the sofa arrived broken", None),
    ("EUR 300 refund, now", None),
    ("could you refund the 200 quid i paid", None),
    ("Hi, the blender from order #1043 stopped working. I'd like a refund please.", BLENDER),
    ("i want my money back", BLENDER),
    ("please cancel order 2051, I ordered the wrong size", CHEAP),
    ("how do i cancel my subscription", None),
    ("cancel it. now.", None),
    ("i need to cancle my order", None),
    ("I want to cancel my order and get a refund of 80 euros", None),
    ("I'll dispute the charge with my bank", None),
    ("if this isn't sorted by friday I'm doing a chargeback", None),
    ("I'm going to report you to my bank", None),
    ("I'll open a paypal dispute", None),
    ("my lawyer will be in touch", None),
    ("I ordered a €650 sofa and it's the wrong colour", None),
]

SAFE: list[tuple[str, CustomerFacts | None]] = [
    ("I don't want a refund, just a replacement", BLENDER),
    ("can I get a refund of €40?", None),
    ("refund of $100 please", None),  # 92 EUR with the default fx
    ("Can I return the €60 vase for a refund?", BLENDER),
    ("what's your refund policy?", BLENDER),
    ("where is my refund?", BLENDER),
    ("I was refunded already, thanks!", BLENDER),
    ("what is the cancellation fee?", None),
    ("no need to cancel, I'll keep it", None),
    ("I don't want to cancel my order, just change the size", None),
    ("please cancel my newsletter, too many emails", None),
    ("do you accept paypal?", None),
    ("the delivery was €4.99, is that right?", None),
    ("The charge on my bank statement says WRM SHOP, is that you?", None),
    ("no chargeback needed, you already fixed it", None),
    ("How much is the sofa? under 400 euros I hope", None),
    ("I paid £12 for shipping", None),
    ("i want my money back", CHEAP),  # the order is 64.50 EUR
]


@pytest.mark.parametrize(("text", "record"), RISKY)
def test_fires_on_money_at_risk(text: str, record: CustomerFacts | None) -> None:
    hits = customer_says(KIND, text, record=record)
    assert [h.kind for h in hits] == [KIND], text
    for ev in hits[0].evidence:
        if ev.start is not None:
            assert text[ev.start:ev.end] == ev.quote


@pytest.mark.parametrize(("text", "record"), SAFE)
def test_stays_quiet_below_thresholds_or_when_declined(text: str,
                                                       record: CustomerFacts | None) -> None:
    assert customer_says(KIND, text, record=record) == [], text


@pytest.mark.parametrize(("text", "figure", "unit"), [
    ("I want a refund of €150", 150.0, "EUR"),
    ("i want a refund, it was $130", 130.0, "USD"),
    ("refund the £90 please", 90.0, "GBP"),
    ("refund my 120 dollars", 120.0, "USD"),
])
def test_reports_the_amount_asked_and_its_currency(text: str, figure: float,
                                                   unit: str) -> None:
    (hit,) = customer_says(KIND, text)
    amount = next(e for e in hit.evidence if e.note == "amount asked")
    assert (amount.figure, amount.unit) == (figure, unit)
    assert "threshold" in hit.reason


def test_takes_the_amount_from_the_record_when_the_text_has_none() -> None:
    (hit,) = customer_says(KIND, "the blender broke. I'd like a refund please.", record=BLENDER)
    refund, total = hit.evidence
    assert refund.quote == "refund"
    assert (total.quote, total.figure, total.unit) == ("order 1043", 184.0, "EUR")
    assert "record" in total.note


def test_uses_the_order_the_message_names() -> None:
    record = customer(order("1043", total=184.0), order("3307", total=42.0,
                                                        placed_days_ago=2))
    assert customer_says(KIND, "refund order 1043 please", record=record)
    assert customer_says(KIND, "refund order 3307 please", record=record) == []


def test_an_order_missing_from_the_record_is_not_guessed() -> None:
    assert customer_says(KIND, "refund order 9999 please", record=BLENDER) == []


def test_stays_quiet_when_the_refund_amount_is_unknown() -> None:
    assert customer_says(KIND, "I want a refund") == []


def test_converts_currencies_with_the_policy_fx_table() -> None:
    text = "please refund the $80"
    assert customer_says(KIND, text) == []  # 73.60 EUR
    generous = policy_with(money_risk={"fx": {"EUR": 1.0, "USD": 1.5, "GBP": 1.17}})
    (hit,) = customer_says(KIND, text, policy=generous)  # 120 EUR
    assert "80.00 USD" in hit.reason


def test_a_threshold_in_another_currency() -> None:
    policy = policy_with(money_risk={"currency": "GBP", "refund_over": 100,
                                     "fx": {"GBP": 1.0, "EUR": 0.85, "USD": 0.79}})
    assert customer_says(KIND, "refund my €110", policy=policy) == []  # 93.50 GBP
    assert customer_says(KIND, "refund my €130", policy=policy)  # 110.50 GBP


def test_several_risks_in_one_message_make_one_hit_with_every_reason() -> None:
    text = "cancel my order and refund the €300, or I'll dispute it with my bank"
    (hit,) = customer_says(KIND, text)
    assert "chargeback" in hit.reason and "cancellation" in hit.reason
    assert "refund" in hit.reason
    assert {e.note for e in hit.evidence} >= {"threat", "cancellation", "refund"}


def test_switched_off_cancellations_do_not_fire() -> None:
    policy = policy_with(money_risk={"cancellation": False, "chargeback": False})
    assert customer_says(KIND, "please cancel my order", policy=policy) == []
    assert customer_says(KIND, "I'll do a chargeback", policy=policy) == []


def test_agent_turns_never_fire() -> None:
    s = Session()
    s.say("customer", "hi")
    decision = s.say("agent", "I can cancel your order and refund the €300.", 0.9)
    assert [h for h in decision.hits if h.kind == KIND] == []


def test_escalates_at_once_with_the_default_policy() -> None:
    decision = Session(record=CHEAP).say("customer", "please cancel order 2051")
    assert decision.escalate and [h.kind for h in decision.firing] == [KIND]


# --- live record: customer value and refunds already made --------------------------------

def _vip(tags: tuple[str, ...] = ("vip",), value: float = 500.0) -> CustomerFacts:
    return CustomerFacts(ref="c-vip", lifetime_value=value, tags=tags,
                         orders=(order("2051", total=64.5),))


@pytest.mark.parametrize("record", [_vip(), _vip(tags=(), value=2500.0),
                                    _vip(tags=("VIP",))])
def test_a_high_value_customer_has_the_lower_refund_threshold(record: CustomerFacts) -> None:
    (hit,) = customer_says(KIND, "i want my money back for order 2051", record=record)
    assert "64.50 EUR over the 50 EUR threshold for high-value customers" in hit.reason
    value = next(e for e in hit.evidence if e.quote == "customer c-vip")
    assert value.figure == record.lifetime_value and "record: customers." in value.note


def test_an_ordinary_customer_keeps_the_ordinary_threshold() -> None:
    assert customer_says(KIND, "i want my money back for order 2051",
                         record=_vip(tags=("newsletter",), value=300.0)) == []


def test_the_high_value_rule_follows_the_policy() -> None:
    policy = policy_with(money_risk={"high_value_tags": [], "high_value_lifetime_value": 0})
    assert customer_says(KIND, "refund order 2051 please", record=_vip(), policy=policy) == []


def test_the_amount_at_risk_is_what_was_not_refunded_yet() -> None:
    part = CustomerFacts(ref="c", orders=(replace(order("1043", total=184.0), refunded=60.0),))
    (hit,) = customer_says(KIND, "I'd like a refund for order 1043", record=part)
    total = next(e for e in hit.evidence if e.quote == "order 1043")
    assert total.figure == 124.0 and "less refunds.amount" in total.note
    small = CustomerFacts(ref="c", orders=(replace(order("1043", total=184.0), refunded=100.0),))
    assert customer_says(KIND, "I'd like a refund for order 1043", record=small) == []


def test_a_refund_asked_again_for_a_refunded_order_fires() -> None:
    done = CustomerFacts(ref="c", orders=(replace(order("3307", total=42.0), refunded=42.0),))
    (hit,) = customer_says(KIND, "please refund order 3307", record=done)
    assert "already refunded in full" in hit.reason
    assert any(e.note.startswith("record: refunds.amount") for e in hit.evidence)
    off = policy_with(money_risk={"repeat_refund": False})
    assert customer_says(KIND, "please refund order 3307", record=done, policy=off) == []
