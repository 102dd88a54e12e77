"""negative_emotion: strong anger, frustration or distress; mild remarks stay with the bot.

The fake sentiment of each phrasing is close to what VADER gives it (rounded), so
these tests exercise the cues on realistic inputs without loading a lexicon. One
test at the end uses the real lexicon adapter as a sanity check.
"""

from __future__ import annotations

import pytest
from tests.unit.conftest import FakeSignals, Session, customer_says, detect, policy_with

from warmline.domain.judge.triggers.negative_emotion import intensity

KIND = "negative_emotion"

# (text, VADER-like compound sentiment)
UPSET = [
    ("This is the third time this has broken.", -0.48),
    ("this is absolutely ridiculous, i've been waiting 3 weeks", -0.42),
    ("WHERE IS MY ORDER!!!", 0.0),
    ("I am so angry right now", -0.64),
    ("you people are useless", -0.42),
    ("what the hell is going on with my refund", -0.68),
    ("this is fucking unacceptable", -0.51),
    ("Still no refund. Fed up.", -0.30),
    ("im really upset, i needed this for my daughters birthday tomorrow and it's not here",
     -0.44),
    ("I'm desperate, the wedding is on saturday and the dress hasn't arrived", -0.32),
    ("Worst customer service ever. Never again.", -0.63),
    ("are you kidding me?? it broke after two days", -0.41),
    ("I've asked FOUR times now. Is anyone actually reading this?", 0.0),
    ("this is a joke. a complete rip-off", 0.30),
    ("I'm so frustrated with this order", -0.57),
    ("I HATE THIS STUPID APP", -0.83),
    ("you lied to me, you said it would be here monday", -0.38),
    ("absolutly ridiculus service", 0.0),
    ("i'm in tears, this was my mum's last present to me and you lost it", -0.49),
    ("the package is damaged AGAIN and nobody cares!!", 0.17),
]

CALM = [
    ("the colour is a bit darker than I expected", 0.0),
    ("no worries", 0.33),
    ("not bad at all", 0.43),
    ("Where is my order?", 0.0),
    ("can I return the lamp please?", 0.32),
    ("THANK YOU SO MUCH!!!", 0.52),
    ("omg I love it!!", 0.70),
    ("I'm not angry, just a bit confused about the invoice", 0.10),
    ("hi, my parcel is a day late, any news?", 0.0),
    ("I hate to bother you but could you check my order?", -0.47),
    ("damn that was quick, thanks!", 0.13),
    ("do you have the XL in stock? need it for a UK trip", 0.0),
    ("The colour is a bit darker than in the photos, but it's fine. Do you have it in blue?",
     0.30),
    ("slightly disappointed with the packaging but the vase itself is lovely", 0.65),
    ("it's not urgent, whenever you can", -0.15),
    ("is this the worst case scenario for delivery or could it be sooner?", -0.63),
    ("could you help me, I'm a bit lost on your website", 0.10),
    ("Ok great, thanks for sorting it", 0.85),
    ("my order 1043 hasnt arrived yet, is that normal?", 0.0),
    ("I'd like to cancel order 2051 please", 0.42),
    ("sorry for being so annoying, thanks for all your help", 0.27),
    ("oops I lied, I meant the blue one not the green", -0.38),
]


def _signals(text: str, sentiment: float) -> FakeSignals:
    return FakeSignals(sentiments={text: sentiment})


@pytest.mark.parametrize(("text", "sentiment"), UPSET)
def test_fires_on_anger_frustration_or_distress(text: str, sentiment: float) -> None:
    hits = customer_says(KIND, text, signals=_signals(text, sentiment))
    assert [h.kind for h in hits] == [KIND], text
    assert 0.6 <= hits[0].intensity <= 1.0


@pytest.mark.parametrize(("text", "sentiment"), CALM)
def test_stays_quiet_on_mild_or_neutral_messages(text: str, sentiment: float) -> None:
    assert customer_says(KIND, text, signals=_signals(text, sentiment)) == [], text


def test_third_time_broken_reports_sentiment_and_the_repetition_cue() -> None:
    text = "This is the third time this has broken."
    (hit,) = customer_says(KIND, text, signals=_signals(text, -0.48))
    sentiment, cue = hit.evidence
    assert (sentiment.figure, sentiment.unit) == (-0.48, "sentiment")
    assert cue.note == "repetition" and cue.quote == "third time"
    assert cue.start is not None and text[cue.start:cue.end] == cue.quote
    assert "repetition" in hit.reason


@pytest.mark.parametrize("text", [
    "WHERE IS MY ORDER!!!", "this is fucking unacceptable", "absolutly ridiculus service",
    "the package is damaged AGAIN and nobody cares!!",
])
def test_every_cue_quotes_the_original_words(text: str) -> None:
    (hit,) = customer_says(KIND, text, signals=_signals(text, 0.0))
    for ev in hit.evidence[1:]:
        assert ev.start is not None and text[ev.start:ev.end] == ev.quote, ev


@pytest.mark.parametrize(("sentiment", "expected"), [(-1.0, True), (-0.8, True),
                                                      (-0.7, False), (0.0, False)])
def test_sentiment_alone_fires_only_when_strongly_negative(sentiment: float,
                                                           expected: bool) -> None:
    text = "my order arrived"
    hits = customer_says(KIND, text, signals=_signals(text, sentiment))
    assert bool(hits) is expected


@pytest.mark.parametrize(("text", "sentiment"), UPSET + CALM)
def test_intensity_is_always_between_zero_and_one(text: str, sentiment: float) -> None:
    level, _, _ = intensity(text, sentiment)
    assert 0.0 <= level <= 1.0


def test_hedging_lowers_and_intensifying_raises_the_intensity() -> None:
    hedged, _, _ = intensity("a bit disappointed with the box", 0.0)
    plain, _, _ = intensity("disappointed with the box", 0.0)
    strong, _, _ = intensity("so disappointed with the box", 0.0)
    assert hedged < plain < strong


def test_never_fires_on_agent_turns() -> None:
    text = "I'm sorry this is so frustrating, it's unacceptable that it broke again!!"
    hits = detect(KIND, ("customer", "hi"), ("agent", text, 0.9),
                  signals=FakeSignals(default_sentiment=-0.9))
    assert hits == []


def test_a_higher_threshold_lets_milder_anger_through() -> None:
    text = "you people are useless"
    signals = _signals(text, -0.42)
    policy = policy_with(negative_emotion={"intensity_at_least": 0.95})
    assert customer_says(KIND, text, signals=signals)
    assert customer_says(KIND, text, signals=signals, policy=policy) == []


def test_escalates_at_once_with_the_default_policy() -> None:
    text = "This is the third time this has broken."
    decision = Session(signals=_signals(text, -0.48)).say("customer", text)
    assert decision.escalate
    assert [h.kind for h in decision.firing] == [KIND]


# --- uses the REAL lexicon adapter (VADER), not a fake: a sanity check only ----------

@pytest.mark.parametrize(("text", "fires"), [
    ("This is the third time this has broken.", True),
    ("This is the THIRD time it broke!!", True),
    ("I'm so frustrated, this is ridiculous", True),
    ("the colour is a bit darker than I expected", False),
    ("no worries", False),
    ("not bad at all", False),
    ("THANK YOU SO MUCH!!!", False),
])
def test_real_lexicon_adapter_agrees_on_clear_cases(text: str, fires: bool) -> None:
    from warmline.adapters.signals.lexical import LexicalSignals

    hits = customer_says(KIND, text, signals=LexicalSignals())
    assert bool(hits) is fires, text
