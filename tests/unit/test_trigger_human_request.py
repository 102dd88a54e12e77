"""human_request: asking for a person, a transfer or a call-back; mentions are not asks."""

from __future__ import annotations

import pytest
from tests.unit.conftest import Session, conversation, customer_says, detect

from warmline.domain.model import Role

KIND = "human_request"

ASKS = [
    "Can I talk to someone?",
    "i want to speak to a human",
    "HUMAN PLEASE",
    "agent",
    "can u put me through to a real person pls",
    "I don't want to talk to a bot, get me a human",
    "this bot is useless, let me speak to your manager",
    "Is there an actual person I can chat with?",
    "pls transfer me to customer service",
    "can someone call me back? my number is 0612 345 678",
    "I'd like a call back tomorrow morning please",
    "connect me with an agent",
    "need to speak with somone about my order",
    "Real person please!!",
    "Could a real person look at this please, the bot keeps getting it wrong",
    "i dont know how to reach a human on here",
    "I'm done talking to a bot.",
    "no i dont want a bot i want a human",
    "Can I have someone from your team phone me? It's about a big order.",
    "escalate this please",
    "get me a manager now",
    "wanna talk to a humna",
    "hello? can i speak with an operator",
    "put me through to somebody who knows what they're doing",
    "Can somebody else take a look at my claim? You clearly can't help.",
    "When it comes to the warranty I'd prefer talking to a person tbh",
]

NOT_ASKS = [
    "no need for a human, thanks",
    "ok got it, no need for a human, thanks",
    "The person at your store told me I can pick up online orders there, is that right?",
    "your agent told me yesterday it would arrive today",
    "I don't need to speak to anyone, just tell me where my parcel is",
    "I spoke to someone on the phone last week and they said it was shipped",
    "Is the delivery person coming today?",
    "can you ask the courier to leave it with my neighbour",
    "you can call me Sam btw",
    "I'll call back later if I need anything",
    "Can I transfer my gift card balance to my wife?",
    "the human hair wig, is it real hair?",
    "Do you sell gifts for someone who likes gardening?",
    "please don't escalate this, it's fine now",
    "I don't want to speak to a manager, I just want my refund",
    "My sister works as a customer service agent and she said you'd refund me",
    "what time does customer service open on saturdays?",
    # wanting to talk to "customer service" asks this chat for help; a transfer to it fires
    "i need to speak with customer service about my invoice",
    "do you have a phone number for customer support?",
    "was chatting with an agent earlier about the sofa, is it back in stock?",
    "the courier was rude and it all escalated from there, is my parcel safe?",
    "thanks, your colleague already sorted it",
    "Where is my order #1043?",
]


@pytest.mark.parametrize("text", ASKS)
def test_fires_when_customer_asks_for_a_person(text: str) -> None:
    hits = customer_says(KIND, text)
    assert [h.kind for h in hits] == [KIND], text


@pytest.mark.parametrize("text", NOT_ASKS)
def test_stays_quiet_when_a_person_is_only_mentioned_or_declined(text: str) -> None:
    assert customer_says(KIND, text) == [], text


@pytest.mark.parametrize(("text", "quote"), [
    ("I don't want to talk to a bot, get me a human", "get me a human"),
    ("hi there, can u put me thru... no wait, CAN I SPEAK TO A PERSON", "SPEAK TO A PERSON"),
    ("need to speak with somone about my order", "speak with somone"),
    ("can someone call me back? thx", "someone call me"),
])
def test_evidence_quotes_the_matched_words_with_their_span(text: str, quote: str) -> None:
    (hit,) = customer_says(KIND, text)
    ev = hit.evidence[0]
    assert ev.quote == quote
    assert ev.start is not None and ev.end is not None
    assert text[ev.start:ev.end] == ev.quote
    assert ev.turn == 0


def test_fires_on_the_one_tap_button_whatever_the_text_says() -> None:
    hits = detect(KIND, ("customer", "hi, quick question about sizes"),
                  ("agent", "Sure! Which product are you looking at?", 0.9),
                  ("customer", ""), one_tap="button")
    assert [h.kind for h in hits] == [KIND]
    assert "button" in hits[0].evidence[0].note
    assert hits[0].turn == 2


def test_one_tap_escalates_at_once_through_the_judge() -> None:
    s = Session()
    s.say("customer", "hi, quick question about sizes")
    s.say("agent", "Sure! Which product are you looking at?", 0.9)
    decision = s.say("customer", "talk to a person", one_tap="button")
    assert decision.escalate
    assert [h.kind for h in decision.firing] == [KIND]


def test_never_fires_on_agent_turns() -> None:
    hits = detect(KIND, ("customer", "hi"),
                  ("agent", "Would you like to talk to a human agent?", 0.9))
    assert hits == []


def test_reads_only_the_turn_being_judged() -> None:
    conv = conversation(("customer", "get me a human"), ("agent", "One moment", 0.9),
                        ("customer", "actually never mind, found it"))
    assert conv.turns[2].role is Role.CUSTOMER
    assert detect(KIND, ("customer", "get me a human"), ("agent", "One moment", 0.9),
                  ("customer", "actually never mind, found it")) == []
