"""`signals: semantic` — the embedded sentence model behind every signal.

Each message is embedded once (the embedder's LRU cache) and that one vector serves
the similarity of the looping check, every learned head (`heads.py`) and the scope
check over the agent's knowledge (`knowledge.py`). Sentiment stays VADER: it is the
cheapest good signal for the emotion cues, and the heads take it as a feature too.
Model, heads and knowledge load on first use, so wiring costs nothing.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from warmline.adapters.signals.embedder import MiniLMEmbedder
from warmline.adapters.signals.heads import Heads, lexical_features
from warmline.adapters.signals.knowledge import KnowledgeScope
from warmline.adapters.signals.lexical import LexicalSignals
from warmline.domain.judge.signals import ScopeVerdict
from warmline.ports import SentenceEmbedder


class SemanticSignals:
    """Sentiment (VADER), similarity (cosine), label scores (heads), scope (knowledge)."""

    name = "semantic"

    def __init__(self, embedder: SentenceEmbedder | None = None, heads: Heads | None = None,
                 knowledge: Path | None = None, cache_size: int = 20000,
                 scope_check: KnowledgeScope | None = None) -> None:
        """`knowledge` is a kb.jsonl (or pass an already fitted `scope_check`); with
        neither, `scope()` answers None: the scope is not checked."""
        self._embedder = embedder or MiniLMEmbedder(cache_size=cache_size)
        self._lexicon = LexicalSignals()
        self._heads = heads
        self._knowledge_path = knowledge
        self._scope: KnowledgeScope | None = scope_check
        self._scores: OrderedDict[str, dict[str, float]] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    @property
    def embedder(self) -> SentenceEmbedder:
        return self._embedder

    # --- the vector of a message, computed once -------------------------------------

    def vectors(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Unit vectors of `texts` (batched; texts seen before come from the cache)."""
        vectors: npt.NDArray[np.float32] = np.asarray(self._embedder.embed(list(texts)),
                                                      dtype=np.float32)
        return vectors

    def vector(self, text: str) -> npt.NDArray[np.float32]:
        row: npt.NDArray[np.float32] = self.vectors([text])[0]
        return row

    def warm(self, texts: Sequence[str], batch: int = 256) -> None:
        """Embed many texts in batches ahead of use (an evaluation, a replay)."""
        for start in range(0, len(texts), batch):
            self.vectors(texts[start:start + batch])

    # --- the Signals protocol ---------------------------------------------------------

    def sentiment(self, text: str) -> float:
        return self._lexicon.sentiment(text)

    def similarity(self, a: str, b: str) -> float:
        va, vb = self.vectors([a, b])
        return max(0.0, min(1.0, float(va @ vb)))

    def label_scores(self, text: str) -> Mapping[str, float]:
        with self._lock:
            hit = self._scores.get(text)
            if hit is not None:
                self._scores.move_to_end(text)
                return dict(hit)
        features = np.concatenate([self.vector(text).astype(np.float64),
                                   lexical_features(text, self.sentiment(text))])
        scores = self.heads().scores(features)[0]
        with self._lock:
            self._scores[text] = scores
            while len(self._scores) > self._cache_size:
                self._scores.popitem(last=False)
        return dict(scores)

    def scope(self, text: str) -> ScopeVerdict | None:
        knowledge = self.knowledge()
        if knowledge is None:
            return None
        return knowledge.verdict(self.vector(text))

    # --- lazily loaded parts ------------------------------------------------------------

    def heads(self) -> Heads:
        with self._lock:
            if self._heads is None:
                self._heads = Heads.load()
            return self._heads

    def knowledge(self) -> KnowledgeScope | None:
        if self._knowledge_path is None or self._scope is not None:
            return self._scope
        with self._lock:
            if self._scope is None:
                self._scope = KnowledgeScope.from_file(self._knowledge_path, self.vectors)
            return self._scope
