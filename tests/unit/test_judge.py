"""judge: every enabled trigger on one turn, `after` counts per window, no double handoff."""

from __future__ import annotations

import pytest
from tests.unit.conftest import NOW, FakeSignals, Session, conversation, policy_with

from warmline.domain.judge.decision import judge
from warmline.domain.policy import Policy

UNSURE = ("agent", "Maybe? I'm not certain.", 0.2)


def test_the_decision_names_the_policy_version() -> None:
    s = Session(policy=Policy(version="2026.11.1"))
    quiet = s.say("customer", "do you ship to austria?")
    loud = s.say("customer", "get me a human")
    assert quiet.policy_version == loud.policy_version == "2026.11.1"
    assert quiet.to_public() == {"escalate": False, "turn": None, "triggers": [],
                                 "policy_version": "2026.11.1"}
    public = loud.to_public()
    assert public["escalate"] and public["turn"] == 1
    assert public["triggers"][0]["kind"] == "human_request"
    assert public["triggers"][0]["evidence"][0]["quote"] == "get me a human"


def test_no_double_handoff_later_hits_are_recorded_as_suppressed() -> None:
    s = Session(signals=FakeSignals(default_sentiment=-0.6))
    first = s.say("customer", "I want to talk to a person")
    later = s.say("customer", "THIS IS RIDICULOUS, get me a manager!!!")
    assert first.escalate and not first.suppressed
    assert not later.escalate and later.suppressed and later.firing == ()
    assert {h.kind for h in later.hits} == {"human_request", "negative_emotion"}
    assert len(s.conv.escalations) == 1


def test_one_tap_while_waiting_for_a_human_does_not_escalate_twice() -> None:
    s = Session()
    s.say("customer", "agent please")
    again = s.say("customer", "", one_tap="button")
    assert again.suppressed and not again.escalate


def test_triggers_fire_again_after_the_thread_is_handed_back() -> None:
    s = Session()
    assert s.say("customer", "get me a human").escalate
    s.say("human", "Hi, Sam here. Sorted your order, handing you back to our assistant.")
    s.hand_back()
    assert not s.say("customer", "thanks! one more thing, do you ship to austria?").escalate
    again = s.say("customer", "actually can I speak to Sam again? I want a person")
    assert again.escalate and not again.suppressed
    assert len(s.conv.escalations) == 2


def test_after_counts_restart_in_each_window() -> None:
    s = Session()
    s.say("customer", "which charger fits the X2 model?")
    assert not s.say(*UNSURE).escalate  # low confidence 1 of 2
    assert s.say("customer", "just give me a person").escalate
    s.hand_back()
    s.say("customer", "and the cable?")
    after_hand_back = s.say(*UNSURE)
    assert not after_hand_back.escalate  # 1 of 2 again: the earlier miss is forgotten
    assert [h.kind for h in after_hand_back.hits] == ["low_confidence"]
    s.say("customer", "the usb one")
    second = s.say("agent", "It might be the black one?", 0.3)
    assert second.escalate
    (firing,) = second.firing
    assert "2 of 2" in firing.reason and "earlier turns 4" in firing.reason


def test_after_counts_turns_with_a_hit_not_hits() -> None:
    s = Session()
    s.say("customer", "which charger fits the X2 model?")
    one = s.say("agent", "Sorry, I didn't understand.", 0.2, "fallback")
    assert not one.escalate
    assert {h.kind for h in one.hits} == {"low_confidence", "looping"}
    two = s.say("customer", "which charger fits the X2?")  # a re-ask: looping 2 of 2
    assert two.escalate and [h.kind for h in two.firing] == ["looping"]


@pytest.mark.parametrize(("kind", "text"), [
    ("human_request", "get me a human"),
    ("money_risk", "cancel my order"),
    ("policy_edge", "do you price match?"),
    ("negative_emotion", "This is the third time this has broken!!!"),
])
def test_a_disabled_trigger_never_fires(kind: str, text: str) -> None:
    signals = FakeSignals(default_sentiment=-0.5)
    on = Session(signals=signals).say("customer", text)
    assert kind in {h.kind for h in on.firing}
    off = Session(signals=signals, policy=policy_with(**{kind: {"enabled": False}}))
    decision = off.say("customer", text)
    assert kind not in {h.kind for h in decision.hits}
    assert kind not in {h.kind for h in decision.firing}


def test_a_disabled_looping_trigger_ignores_fallbacks() -> None:
    s = Session(policy=policy_with(looping={"enabled": False}))
    s.say("customer", "hello")
    s.say("agent", "Sorry, I didn't understand.", 0.9)
    s.say("customer", "hello??")
    d = s.say("agent", "Sorry, I didn't understand.", 0.9)
    assert not any(x.escalate for x in s.decisions)
    assert d.hits == ()


def test_judges_a_turn_with_only_the_turns_before_it() -> None:
    conv = conversation(("customer", "do you ship to austria?"),
                        ("agent", "Yes, in 2-4 days.", 0.9),
                        ("customer", "get me a human"))
    early = judge(conv, 0, signals=FakeSignals(), policy=Policy(version="v"), now=NOW)
    late = judge(conv, 2, signals=FakeSignals(), policy=Policy(version="v"), now=NOW)
    assert not early.escalate and early.hits == ()
    assert late.escalate and late.turn == 2


def test_every_hit_on_a_turn_is_kept_even_those_below_their_count() -> None:
    s = Session(signals=FakeSignals(default_sentiment=-0.5))
    s.say("customer", "where is my order")
    d = s.say("agent", "Sorry, I didn't understand.", 0.2)
    assert not d.escalate
    assert {h.kind for h in d.hits} == {"looping", "low_confidence"}
