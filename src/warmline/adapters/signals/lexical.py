"""Lexical signals: VADER sentiment and content-word similarity. No model, tiny install."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from warmline.domain.judge.signals import ScopeVerdict
from warmline.domain.text import lexical_similarity


class LexicalSignals:
    """`signals: lexical` — VADER for sentiment, word overlap for similarity."""

    def __init__(self) -> None:
        self._vader: Any = None

    def _analyzer(self) -> Any:
        if self._vader is None:  # loaded on first use, not at import
            from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

            self._vader = SentimentIntensityAnalyzer()
        return self._vader

    def sentiment(self, text: str) -> float:
        return _cached_sentiment(self, text)

    def similarity(self, a: str, b: str) -> float:
        return lexical_similarity(a, b)

    def label_scores(self, text: str) -> Mapping[str, float]:
        return {}

    def scope(self, text: str) -> ScopeVerdict | None:
        return None


@lru_cache(maxsize=4096)
def _cached_sentiment(signals: LexicalSignals, text: str) -> float:
    return float(signals._analyzer().polarity_scores(text)["compound"])
