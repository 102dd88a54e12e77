"""looping: re-asked questions, an agent repeating itself or falling back."""

from __future__ import annotations

import pytest
from tests.unit.conftest import Session, detect, policy_with

KIND = "looping"
ANSWER = ("agent", "Orders usually arrive within 3-5 working days.", 0.8)

REASKS = [
    ("where is my order", "where's my package"),
    ("where is my order", "my parcel still hasn't come, where is it"),
    ("Where is my order?", "where is my parcel"),
    ("When will my refund arrive?", "when do i get my refund??"),
    ("how do I return these shoes", "how can i return the shoes?"),
    ("can I change the delivery address", "I need to change my delivery address"),
    ("what's the status of order 4410", "status of 4410 please"),
    ("is the blue jacket in stock in size M?", "do you have the blue jacket in stock"),
    ("How long does delivery take?", "how long will delivery take to germany"),
    ("can i cancel my order", "I want to cancel the order please"),
    ("where do I enter my discount code", "where do i put the discount code??"),
    ("my tracking link doesn't work", "the tracking link is not working"),
    ("I still haven't received my parcel", "parcel not received yet"),
    ("Is my order #5521 shipped yet?", "has #5521 shipped"),
    ("do you ship to austria?", "so do you deliver to austria or not"),
    ("can I pay with klarna", "is paying with klarna possible?"),
]

DIFFERENT = [
    ("where is my order", "can I change my delivery address"),
    ("where is order 1043", "where is order 2051"),
    ("where is my refund for order 5521", "where is my refund for order 6610"),
    ("Do you have this in blue?", "do you have it in a size 12?"),
    ("thanks!", "thank you so much"),
    ("yes", "yes please"),
    ("ok", "ok"),
    ("hi", "hello?"),
    ("my order number is 88231", "and my email is sam@example.com"),
    ("can i pay with klarna?", "how long does shipping take?"),
    ("I'd like to return the lamp", "how long does the refund take after that?"),
    ("What's your returns address?", "Do I need to include the receipt?"),
    ("is the sofa in stock?", "is the armchair in stock?"),
    ("Can I change the size?", "can I change the colour too?"),
    ("what time do you close today", "are you open on sunday"),
    ("do you ship to austria?", "great, and do you sell gift cards?"),
]


@pytest.mark.parametrize(("first", "again"), REASKS)
def test_fires_when_the_customer_rephrases_the_same_question(first: str, again: str) -> None:
    hits = detect(KIND, ("customer", first), ANSWER, ("customer", again))
    assert [h.kind for h in hits] == [KIND], (first, again)
    first_ev, again_ev = hits[0].evidence
    assert (first_ev.turn, first_ev.quote) == (0, first)
    assert again_ev.turn == 2 and again_ev.unit == "similarity"
    assert again_ev.figure is not None and again_ev.figure >= 0.6


@pytest.mark.parametrize(("first", "then"), DIFFERENT)
def test_stays_quiet_when_the_customer_asks_something_different(first: str, then: str) -> None:
    assert detect(KIND, ("customer", first), ANSWER, ("customer", then)) == [], (first, then)


def test_stays_quiet_when_the_customer_double_sends_before_any_answer() -> None:
    assert detect(KIND, ("customer", "where is my order"),
                  ("customer", "where is my order??")) == []


FALLBACKS = [
    "Sorry, I didn't understand.",
    "I'm sorry, I don't understand. Could you say that again?",
    "Hmm, I'm not sure I understand. Could you rephrase?",
    "Sorry, I didn't quite get that",
    "I'm not sure what you mean, can you try again?",
    "Sorry, I can't help with that.",
    "I\u2019m sorry, I don\u2019t know.",
]


@pytest.mark.parametrize("reply", FALLBACKS)
def test_fires_when_the_agent_falls_back(reply: str) -> None:
    (hit,) = detect(KIND, ("customer", "the thing for the other one"), ("agent", reply, 0.3))
    assert hit.reason == "the agent fell back"
    ev = hit.evidence[0]
    assert ev.start is not None and reply[ev.start:ev.end] == ev.quote


@pytest.mark.parametrize("reply", [
    "Your order #1043 is out for delivery today.",
    "I understand, that must be annoying. Let me check your order.",
    "Sure! Could you tell me your order number?",
    "I can help with that. Which size do you need?",
])
def test_stays_quiet_on_ordinary_agent_replies(reply: str) -> None:
    assert detect(KIND, ("customer", "where is my order"), ("agent", reply, 0.9)) == []


def test_fires_when_the_agent_repeats_itself() -> None:
    hits = detect(KIND, ("customer", "where is my order"),
                  ("agent", "You can follow your order from the link in your confirmation "
                            "email.", 0.7),
                  ("customer", "the link doesn't open"),
                  ("agent", "You can follow your order using the link in the confirmation "
                            "email.", 0.7))
    assert [h.reason for h in hits] == ["the agent repeated itself"]
    assert hits[0].evidence[0].turn == 1


def test_escalates_on_the_second_miss_not_the_first() -> None:
    s = Session()
    decisions = s.play([
        ("customer", "Where is my order?"),
        ("agent", "Orders usually arrive within 3-5 working days.", 0.8),
        ("customer", "Where is my package?"),
        ("agent", "You can follow your order from the link in your confirmation email.", 0.7),
        ("customer", "where is my parcel"),
    ])
    assert [d.escalate for d in decisions] == [False, False, False, False, True]
    assert [h.kind for h in decisions[2].hits] == [KIND]  # the 1st miss is recorded
    (firing,) = decisions[4].firing
    assert firing.kind == KIND and "2 of 2" in firing.reason


def test_a_fallback_and_a_reask_add_up_to_an_escalation() -> None:
    s = Session()
    decisions = s.play([
        ("customer", "can I change the delivery address"),
        ("agent", "Sorry, I didn't understand.", 0.9),
        ("customer", "I need to change my delivery address"),
    ])
    assert [d.escalate for d in decisions] == [False, False, True]


def test_after_one_escalates_on_the_first_miss() -> None:
    s = Session(policy=policy_with(looping={"after": 1}))
    decisions = s.play([("customer", "hello"),
                        ("agent", "Sorry, I didn't understand.", 0.9)])
    assert decisions[1].escalate


def test_a_stricter_similarity_ignores_loose_rephrasings() -> None:
    policy = policy_with(looping={"similarity": 0.95})
    hits = detect(KIND, ("customer", "where is my order"), ANSWER,
                  ("customer", "my parcel still hasn't come, where is it"), policy=policy)
    assert hits == []
