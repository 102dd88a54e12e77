"""The context package: built from the conversation and the record, no LLM, right figures.

Each test plays a conversation through the judge (as the service does) on the shared
sample record and checks what a human reading the package would rely on: the summary's
two sentences, the next step the policy's rules produce, the first message, the quotes,
the mood and the history.
"""

from __future__ import annotations

import json

import pytest
from tests.samples import NOW, sample_batch
from tests.unit.conftest import CID, FakeSignals, Session

from warmline.adapters.commerce.memory import MemoryCommerceRecord
from warmline.domain import events as ev
from warmline.domain.errors import PolicyError
from warmline.domain.package.builder import build_package
from warmline.domain.package.contents import SCHEMA, ContextPackage, trend_of
from warmline.domain.policy import Policy
from warmline.domain.record.commerce import CustomerRecord, Interaction

RECORD = MemoryCommerceRecord(sample_batch())


def record(ref: str) -> CustomerRecord:
    found = RECORD.customer_record(ref)
    assert found is not None
    return found


def package(*turns: tuple[object, ...], ref: str | None = "c-1001",
            policy: Policy | None = None, signals: FakeSignals | None = None,
            history: tuple[Interaction, ...] = ()) -> ContextPackage:
    """Play `turns`, then build the package of the first escalation."""
    full = record(ref) if ref else None
    session = Session(policy=policy, record=full.facts() if full else None, signals=signals)
    session.conv.customer_ref = ref
    for t in turns:
        session.say(*t)
    escalation = session.conv.escalations[0]
    return build_package(session.conv, escalation, record=full, history=history,
                         signals=session.signals, policy=session.policy, now=NOW)


def test_a_vip_refund_outside_the_window_reads_as_the_issue_example() -> None:
    p = package(("customer", "Hi, I'd like a refund for the blender from order #1043 "
                             "please."))
    assert p.summary.wants == ("Maria Keller (VIP) wants a refund of €184.00 for order #1043 "
                               "(Aurora Blender), delivered 34 days ago: 4 days outside the "
                               "30-day return window.")
    assert p.summary.tried.startswith("Nothing has been tried yet")
    assert "2 earlier fault reports on #1043" in p.summary.tried
    assert p.next_step.rule == "refund_outside_window_high_value"
    assert p.next_step.text.startswith("Approve the refund of €184.00 for order #1043, outside "
                                       "the 30-day window by 4 days; customer is VIP")
    assert p.first_message.startswith("Hi Maria,")
    assert "can you explain" not in p.first_message.lower()
    assert p.refs.order_ids == ("1043",) and p.refs.customer_ref == "c-1001"
    assert {t["kind"] for t in p.triggers} == {"money_risk", "policy_edge"}
    assert p.record is not None and p.record["customer"]["ref"] == "c-1001"


def test_what_the_agent_did_is_the_second_sentence() -> None:
    p = package(("customer", "where is my order 2077?"),
                ("agent", "It left on Monday: https://track.example/2077", 0.9, "order_status"),
                ("customer", "it says delivered but it's not here. Can I talk to a person?"),
                ref="c-2002")
    assert p.summary.tried.startswith("So far the agent shared https://track.example/2077")
    assert p.next_step.rule == "human_request"
    assert p.summary.wants.startswith("Tom Baker wants to know where order #2077")


def test_actions_reported_by_the_agent_are_told_in_words() -> None:
    session_turns = [("customer", "hi, where is my parcel"),
                     ("customer", "hello?? get me a human")]
    full = record("c-2002")
    s = Session(record=full.facts())
    s.conv.customer_ref = "c-2002"
    s.say(*session_turns[0])
    s.conv.apply(ev.AgentReplied(conversation_id=CID, occurred_at=NOW, message_id="a",
                                 text="On its way.", confidence=0.9, intent="order_status",
                                 actions=("looked_up_order:2077", "sent_tracking_link:2077")))
    s.say(*session_turns[1])
    p = build_package(s.conv, s.conv.escalations[0], record=full, signals=s.signals,
                      policy=s.policy, now=NOW)
    assert "looked up order #2077 and sent the tracking link for order #2077" in p.summary.tried


def test_a_cart_that_failed_at_payment_leads_the_next_step() -> None:
    p = package(("customer", "my payment keeps failing at checkout, can I speak to someone?"),
                ref="c-2002")
    assert p.next_step.rule == "payment_failed_cart"
    assert "€89.00" in p.next_step.text and "insufficient funds" in p.next_step.text
    assert p.refs.cart_id == "cart-9" and p.refs.order_ids == ()
    assert "failed at payment" in p.summary.tried


def test_a_customer_without_a_record_still_gets_a_useful_package() -> None:
    p = package(("customer", "I was charged $249.99 twice, I want my money back"), ref=None)
    assert p.record is None and p.refs.customer_ref is None
    assert p.summary.wants == "The customer wants a refund of $249.99."
    assert p.next_step.text.startswith("Review the refund of $249.99 (over the €100.00")
    assert "customer not in the record" in p.next_step.text
    assert p.first_message.startswith("Hi, ")
    assert [q.text for q in p.quotes] == ["I was charged $249.99 twice, I want my money back"]


def test_quotes_keep_the_customers_own_words_with_why() -> None:
    p = package(("customer", "Hello. Order #1043 came last month. I want a refund. Thanks"))
    assert [(q.text, q.why) for q in p.quotes] == [
        ("Order #1043 came last month.", "names an order or an amount"),
        ("I want a refund.", "evidence for money_risk, policy_edge")]


def test_the_sentiment_trajectory_follows_the_customer_turns() -> None:
    signals = FakeSignals(sentiments={"where is my parcel?": 0.1,
                                      "any news on it?": -0.3,
                                      "I WANT A PERSON NOW": -0.9})
    p = package(("customer", "where is my parcel?"), ("customer", "any news on it?"),
                ("customer", "I WANT A PERSON NOW"), ref="c-2002", signals=signals)
    assert [pt.label for pt in p.sentiment] == ["neutral", "unhappy", "angry"]
    assert p.trend == "worsening" and trend_of(p.sentiment[:1]) == "steady"


def test_history_merges_the_record_and_earlier_conversations_newest_first() -> None:
    earlier = Interaction("conv-old", "c-1001", "whatsapp", NOW.replace(day=20), "money_risk",
                          "wanted a refund", "1043", True, "warmline: bot")
    p = package(("customer", "talk to a human"), history=(earlier,))
    assert [h["id"] for h in p.history] == ["conv-old", "hd-2", "hd-1"]


def test_the_package_round_trips_through_json_under_its_schema() -> None:
    p = package(("customer", "Hi, the blender from order #1043 broke. Refund please."))
    data = json.loads(json.dumps(p.to_dict()))
    assert data["schema"] == SCHEMA
    assert ContextPackage.from_dict(data) == p
    with pytest.raises(ValueError, match="unsupported context package schema"):
        ContextPackage.from_dict({**data, "schema": "warmline.context/99"})


def test_the_policy_words_the_next_step_and_can_switch_a_rule_off() -> None:
    policy = Policy.from_mapping({"version": "t", "context": {"next_steps": {
        "refund_outside_window_high_value": "", "refund_outside_window":
            "say yes to {amount} on {order} ({days_over} days late); {customer}"}}})
    p = package(("customer", "Hi, order #1043: refund please."), policy=policy)
    assert p.next_step.rule == "refund_outside_window"
    assert p.next_step.text.startswith("Say yes to €184.00 on #1043 (4 days late)")


def test_an_unknown_placeholder_in_a_template_is_refused_naming_the_key() -> None:
    with pytest.raises(PolicyError) as info:
        Policy.from_mapping({"version": "t", "context": {"next_steps": {
            "refund": "refund {amout} now"}}})
    assert info.value.key == "context.next_steps.refund"
    assert "{amout}" in str(info.value)


def test_a_third_fault_report_suggests_a_replacement_before_any_refund() -> None:
    p = package(("customer", "The blender from order #1043 stopped working again. I want a "
                             "refund."))
    assert p.next_step.rule == "repeated_fault"
    assert p.next_step.text.startswith("Offer a replacement for the Aurora Blender; this is "
                                       "the third fault report on order #1043")
    assert "third time" in p.first_message
