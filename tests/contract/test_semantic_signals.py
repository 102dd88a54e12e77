"""SemanticSignals against the real model: the Signals contract, one embedding per text."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from warmline.adapters.signals.embedder import MiniLMEmbedder
from warmline.adapters.signals.heads import BINARY_HEADS, Heads
from warmline.adapters.signals.lexical import LexicalSignals
from warmline.adapters.signals.semantic import SemanticSignals
from warmline.domain.judge.assessment import ROUTES
from warmline.domain.judge.signals import ScopeVerdict, Signals

TEXTS = ["I want to talk to a real person", "where is my parcel?",
         "This is the third time it broke, I'm furious!!", "please cancel my order",
         "", "Ich möchte mein Abo kündigen 🙁"]


class CountingEmbedder:
    """The real embedder, counting how many texts actually reach the model."""

    def __init__(self) -> None:
        self.inner = MiniLMEmbedder()
        self.computed: list[str] = []
        original = self.inner._infer

        def infer(texts: list[str]) -> Any:
            self.computed.extend(texts)
            return original(texts)

        self.inner._infer = infer  # type: ignore[method-assign]

    @property
    def dimension(self) -> int:
        return self.inner.dimension

    def embed(self, texts: Sequence[str]) -> Any:
        return self.inner.embed(texts)


@pytest.fixture(scope="module")
def semantic() -> SemanticSignals:
    return SemanticSignals()


@pytest.mark.parametrize("make", [SemanticSignals, LexicalSignals])
def test_every_provider_answers_the_signals_protocol(make: type[Signals]) -> None:
    signals: Signals = make()
    for text in TEXTS:
        assert -1.0 <= signals.sentiment(text) <= 1.0
        assert 0.0 <= signals.similarity(text, "where is my order") <= 1.0
        assert all(0.0 <= p <= 1.0 for p in signals.label_scores(text).values())
        assert signals.scope(text) is None  # no knowledge configured


def test_label_scores_cover_every_head_and_the_routes_sum_to_one(
        semantic: SemanticSignals) -> None:
    scores = semantic.label_scores("please cancel my order")
    assert set(BINARY_HEADS) <= set(scores)
    routes = [scores[f"route.{r}"] for r in ROUTES]
    assert sum(routes) == pytest.approx(1.0, abs=1e-6)


def test_similarity_is_symmetric_and_paraphrases_score_higher(
        semantic: SemanticSignals) -> None:
    a, b, c = "where is my parcel", "my package hasn't arrived yet", "I love your shoes"
    assert semantic.similarity(a, b) == pytest.approx(semantic.similarity(b, a), abs=1e-6)
    assert semantic.similarity(a, a) == pytest.approx(1.0, abs=1e-5)
    assert semantic.similarity(a, b) > semantic.similarity(a, c) + 0.2


def test_each_message_is_embedded_once_for_every_signal(tmp_path: Path) -> None:
    kb = tmp_path / "kb.jsonl"
    kb.write_text('{"intent": "track", "text": "where is my order"}\n'
                  '{"intent": "track", "text": "has my parcel shipped"}\n'
                  '{"intent": "refund", "text": "I want my money back"}\n'
                  '{"intent": "refund", "text": "refund my purchase please"}\n',
                  encoding="utf-8")
    embedder = CountingEmbedder()
    signals = SemanticSignals(embedder=embedder, knowledge=kb)
    text = "when will my parcel arrive?"
    signals.label_scores(text)
    verdict = signals.scope(text)
    signals.similarity(text, "where is my order")
    signals.label_scores(text)
    assert embedder.computed.count(text) == 1
    assert isinstance(verdict, ScopeVerdict) and verdict.intent == "track"


def test_heads_round_trip_through_their_bytes_exactly(semantic: SemanticSignals) -> None:
    heads = semantic.heads()
    again = Heads.from_bytes(heads.to_bytes())
    features = np.random.default_rng(0).normal(size=(3, 390))
    assert heads.scores(features) == again.scores(features)
    assert heads.to_bytes() == again.to_bytes()


def test_shipped_heads_carry_their_provenance(semantic: SemanticSignals) -> None:
    meta = semantic.heads().provenance
    assert {"data", "weights_sha256", "hyperparameters", "date"} <= set(meta)
    assert all({"set", "source", "licence", "turns"} <= set(d) for d in meta["data"])
