"""Signals the detectors consume, computed by adapters (lexicon, embedded model).

Declared here as a Protocol so detectors stay pure and unit tests can pass fakes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class ScopeVerdict:
    """The agent-side scope check: is the message inside what the agent knows?"""

    in_scope: bool
    intent: str | None
    confidence: float


class Signals(Protocol):
    def sentiment(self, text: str) -> float:
        """Compound sentiment in -1..1 (negative is unhappy)."""
        ...

    def similarity(self, a: str, b: str) -> float:
        """How alike two messages are in meaning, 0..1."""
        ...

    def label_scores(self, text: str) -> Mapping[str, float]:
        """Model probabilities per label (e.g. human_request); empty when lexical only."""
        ...

    def scope(self, text: str) -> ScopeVerdict | None:
        """The scope verdict, or None when the agent's knowledge is not configured."""
        ...
