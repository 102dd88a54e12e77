"""What the judge reads a message with: the signals (declared in the domain, re-exported
here) and the embedded sentence model behind the semantic ones."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from warmline.domain.judge.signals import ScopeVerdict, Signals


class SentenceEmbedder(Protocol):
    """An embedded sentence model: texts -> L2-normalised vectors (n, dimension)."""

    @property
    def dimension(self) -> int: ...

    def embed(self, texts: Sequence[str]) -> Any: ...


__all__ = ["ScopeVerdict", "SentenceEmbedder", "Signals"]
