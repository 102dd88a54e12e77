"""The pure text helpers the detectors share: negation, similarity, typos, amounts."""

from __future__ import annotations

import pytest

from warmline.domain.judge.topics import cues
from warmline.domain.text import (
    content_words,
    correct_typos,
    find_amounts,
    hedged,
    lexical_similarity,
    negated,
    normalise,
    order_refs,
    original_span,
)


@pytest.mark.parametrize("text", ["I’m FINE", "İstanbul order", "ÉTÉ ‘quote’", ""])
def test_normalise_keeps_every_offset(text: str) -> None:
    assert len(normalise(text)) == len(text)
    assert "’" not in normalise(text)


@pytest.mark.parametrize(("text", "word", "expected"), [
    ("no need for a human", "human", True),
    ("I don't want a refund", "refund", True),
    ("i do not want to cancel", "cancel", True),
    ("I don't want to talk to a bot, get me a human", "get me", False),
    ("I don't know how to reach a person", "reach", False),
    ("i dont want to wait i want a person", "want a person", False),
    ("I don't think I need a person", "need", True),
    ("not happy, cancel it", "cancel", False),
    ("I didn't get it so please refund me", "refund", False),
    ("please refund me", "refund", False),
])
def test_negated_stays_inside_its_clause(text: str, word: str, expected: bool) -> None:
    assert negated(text, normalise(text).rindex(word)) is expected


def test_hedged_sees_downtoners_just_before_a_word() -> None:
    text = "a bit disappointed, honestly"
    assert hedged(text, text.index("disappointed"))
    assert not hedged("really disappointed", len("really "))


@pytest.mark.parametrize(("a", "b"), [
    ("where is my order", "where's my package"),
    ("where is my order", "my parcel still hasn't come, where is it"),
    ("I was charged twice", "you charged me twice!"),
    ("how do I return these shoes", "how can i return the shoes?"),
])
def test_similar_asks_score_at_least_the_default_threshold(a: str, b: str) -> None:
    assert lexical_similarity(a, b) >= 0.6
    assert lexical_similarity(a, b) == pytest.approx(lexical_similarity(b, a))


@pytest.mark.parametrize(("a", "b"), [
    ("where is my order", "can I change my order address"),
    ("order?", "I'd like to cancel my order and get a refund"),
    ("thanks", "thank you"),
    ("", "where is my order"),
])
def test_different_asks_score_below_the_default_threshold(a: str, b: str) -> None:
    assert 0.0 <= lexical_similarity(a, b) < 0.6


def test_content_words_drop_small_talk_and_share_synonyms() -> None:
    assert content_words("ok thanks!") == set()
    assert content_words("my parcel") == content_words("the package") == {"order"}


@pytest.mark.parametrize(("text", "wrong", "right"), [
    ("can I talkk to somneone?", "somneone", "someone"),
    ("i want a humna", "humna", "human"),
    ("need to speak to an opperator", "opperator", "operator"),
])
def test_correct_typos_fixes_near_misses_and_maps_spans_back(text: str, wrong: str,
                                                            right: str) -> None:
    vocabulary = {"talk", "someone", "human", "operator"}
    fixed, origin = correct_typos(text, vocabulary)
    assert right in fixed
    at = fixed.index(right)
    start, end = original_span(origin, at, at + len(right))
    assert text[start:end] == wrong


@pytest.mark.parametrize("word", ["talks", "humans", "operators", "curious", "speaks"])
def test_correct_typos_leaves_real_words_and_inflections_alone(word: str) -> None:
    fixed, _ = correct_typos(f"the {word} here", {"talk", "human", "operator", "furious",
                                                  "speak"})
    assert fixed == f"the {word} here"


@pytest.mark.parametrize(("text", "value", "currency"), [
    ("refund €184 please", 184.0, "EUR"),
    ("it was $249.99", 249.99, "USD"),
    ("£90", 90.0, "GBP"),
    ("120 dollars", 120.0, "USD"),
    ("1.299,00 €", 1299.0, "EUR"),
    ("$1,200", 1200.0, "USD"),
    ("EUR 300", 300.0, "EUR"),
    ("200 quid", 200.0, "GBP"),
    ("49,90€", 49.9, "EUR"),
])
def test_find_amounts_reads_symbols_codes_and_separators(text: str, value: float,
                                                         currency: str) -> None:
    (amount,) = find_amounts(text)
    assert (amount.value, amount.currency) == (pytest.approx(value), currency)
    assert text[amount.start:amount.end].strip()


@pytest.mark.parametrize("text", ["order 12 of 3", "size 42", "call me on 0612345678",
                                  "in 30 days"])
def test_find_amounts_ignores_numbers_without_a_currency(text: str) -> None:
    assert find_amounts(text) == []


def test_order_refs_find_hash_and_order_number_forms() -> None:
    refs = [r for r, _, _ in order_refs("order #1043, order number 2051 and #3307")]
    assert refs == ["1043", "2051", "3307"]


@pytest.mark.parametrize(("text", "topic"), [
    ("i want my money back", "refund_request"),
    ("pls cancle it", "cancellation"),
    ("I'll dispute the charge with my bank", "chargeback"),
    ("can I send it back?", "return"),
    ("I need to update the shipping address", "address_change"),
    ("do you price match?", "price_match"),
    ("my promo code has expired", "discount_exception"),
    ("I know it's past the 30 days", "late_return"),
    ("it's out of warranty", "warranty"),
])
def test_topic_cues_find_requests(text: str, topic: str) -> None:
    (cue,) = [c for c in cues(text) if c.topic == topic]
    assert text[cue.start:cue.end]


@pytest.mark.parametrize(("text", "topic"), [
    ("what's your refund policy?", "refund_request"),
    ("what is the cancellation fee?", "cancellation"),
    ("where is the return label?", "return"),
    ("I don't want a refund", "refund_request"),
    ("please cancel my newsletter", "cancellation"),
])
def test_topic_cues_skip_questions_about_rules_and_negations(text: str, topic: str) -> None:
    assert topic not in {c.topic for c in cues(text)}
