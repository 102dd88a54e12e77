"""low_confidence: the agent is unsure, reports a fallback intent, or the ask is off-scope."""

from __future__ import annotations

from typing import Any

import pytest
from tests.unit.conftest import FakeSignals, Session, detect, policy_with

KIND = "low_confidence"
ASK = ("customer", "do you do gift wrapping for the ceramic vases?")

UNSURE_AGENT_TURNS: list[tuple[Any, ...]] = [
    ("I think we might offer gift wrapping, but I'm not certain.", 0.31),
    ("Gift wrapping may be available at checkout.", 0.44),
    ("Possibly! Let me check.", 0.05),
    ("We have vases in several colours.", 0.2),
    ("Our ceramics are handmade in Portugal.", 0.12, "product_info"),
    ("Could you tell me a bit more?", 0.9, "fallback"),
    ("Sorry, could you rephrase that?", None, "nlu_fallback"),
    ("Hmm, let me think.", 0.8, "NLU_Fallback"),
    ("I can help with orders, returns and delivery.", None, "out_of_scope"),
    ("I'm not sure about that one.", None, "unknown"),
    ("I'm not sure about that one.", 0.7, "None"),
    ("Let me see what I can find.", 0.6, "default.fallback"),
    ("Wrapping is free over 50 euros, I believe.", 30),  # a percentage
    ("Gift wrapping... maybe?", 0.0),
    ("I don't have information on that.", 0.4499),
]

CONFIDENT_AGENT_TURNS: list[tuple[Any, ...]] = [
    ("Yes, gift wrapping is free on all orders over 50 EUR.", 0.92),
    ("Yes! Tick 'gift wrap' at checkout.", 0.45),  # at the threshold is not under it
    ("Gift wrapping costs 3.50 EUR per item.", 0.81, "gift_wrapping"),
    ("We wrap every vase in recycled paper.", 0.6, "packaging"),
    ("Yes, we do.", None, "gift_wrapping"),
    ("Yes, we do.", None, None),
    ("Of course, just add a note at checkout.", 95),  # a percentage
    ("Your order #1043 is out for delivery.", 0.99, "order_status"),
    ("Hi! How can I help you today?", 0.97, "greeting"),
    ("You can return items within 30 days.", 0.75, "returns_policy"),
    ("Sorry for the wait! Yes, we gift wrap.", 0.88, "gift_wrapping"),
    ("We ship to Austria in 2-4 working days.", 0.91, "shipping_times"),
    ("Thanks for your patience.", 0.5, "smalltalk"),
    ("That vase is back in stock on Friday.", 1.0, "stock"),
    ("Refunds take 5-7 working days to show.", 0.46, "refund_status"),
]


@pytest.mark.parametrize("agent", UNSURE_AGENT_TURNS)
def test_fires_when_the_agent_is_unsure_or_falls_back(agent: tuple[Any, ...]) -> None:
    hits = detect(KIND, ASK, ("agent", *agent))
    assert [h.kind for h in hits] == [KIND], agent
    assert 0.0 <= hits[0].intensity <= 1.0


@pytest.mark.parametrize("agent", CONFIDENT_AGENT_TURNS)
def test_stays_quiet_when_the_agent_is_confident(agent: tuple[Any, ...]) -> None:
    assert detect(KIND, ASK, ("agent", *agent)) == [], agent


def test_evidence_reports_the_confidence_figure() -> None:
    (hit,) = detect(KIND, ASK, ("agent", "Maybe?", 0.31))
    ev = hit.evidence[0]
    assert (ev.figure, ev.unit) == (0.31, "confidence")
    assert "0.45" in ev.note
    assert hit.intensity == pytest.approx(0.69)


OFF_SCOPE = [
    "can you recommend a good plumber in Lyon?",
    "what's the weather like tomorrow",
    "do you know any good pizza places near me",
    "can you help me with my tax return",
    "whats the capital of australia lol",
]


@pytest.mark.parametrize("text", OFF_SCOPE)
def test_fires_when_the_scope_check_says_out_of_scope(text: str) -> None:
    signals = FakeSignals(out_of_scope=frozenset({text}), scope_configured=True)
    (hit,) = detect(KIND, ("customer", text), signals=signals)
    assert hit.evidence[0].note == "outside the agent's knowledge"


@pytest.mark.parametrize("text", ["where is my order?", "do you ship to austria",
                                  "can i return the lamp"])
def test_stays_quiet_on_in_scope_or_unchecked_customer_messages(text: str) -> None:
    assert detect(KIND, ("customer", text), signals=FakeSignals(scope_configured=True)) == []
    assert detect(KIND, ("customer", text), signals=FakeSignals()) == []


def test_ignores_human_turns() -> None:
    assert detect(KIND, ASK, ("human", "Hi, Sam here, let me look into it.")) == []


def test_escalates_after_two_unsure_turns_not_one() -> None:
    s = Session()
    decisions = s.play([
        ("customer", "I need the thing for the other one from before"),
        ("agent", "Could you tell me which product you mean?", 0.22),
        ("customer", "you know, the gadget, for my other device"),
        ("agent", "Is it the phone case?", 0.31),
    ])
    assert [d.escalate for d in decisions] == [False, False, False, True]
    (firing,) = [h for h in decisions[3].firing if h.kind == KIND]
    assert "2 of 2" in firing.reason and "earlier turns 1" in firing.reason


def test_out_of_scope_and_unsure_turns_count_together() -> None:
    text = "can you recommend a good plumber in Lyon?"
    s = Session(signals=FakeSignals(out_of_scope=frozenset({text})))
    decisions = s.play([("customer", text),
                        ("agent", "I'm an assistant for our shop, sorry.", 0.3)])
    assert [d.escalate for d in decisions] == [False, True]


def test_a_custom_threshold_moves_the_line() -> None:
    policy = policy_with(low_confidence={"confidence_below": 0.8})
    assert detect(KIND, ASK, ("agent", "Yes, we gift wrap.", 0.75), policy=policy)
    assert not detect(KIND, ASK, ("agent", "Yes, we gift wrap.", 0.85), policy=policy)
