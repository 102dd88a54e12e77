"""The agent-side scope check: is a message inside the agent's knowledge, and which intent?

The knowledge is a `kb.jsonl` ({"intent", "text"} per line: an agent's intents with
example messages, or its FAQ). Two things are learned from it when it is loaded, and
nothing from any labelled case:

- the intent: a softmax regression on the examples' embeddings (numpy, L-BFGS);
- the confidence that a message is in scope, calibrated on the knowledge itself. Two
  statistics say how familiar a message looks: its *support*, the mean cosine to its 5
  nearest examples of the predicted intent, and the intent model's top *probability*.
  Both are measured on the knowledge's own examples as if they were new messages
  (support leave-one-out, probability from a model fitted on the other half of the
  knowledge), and a message's confidence is the share of those examples that look as
  unfamiliar or more (a conformal p-value of the mean of its two ranks). A confidence
  of 0.01 thus means "only 1% of what this agent knows looks this far from it",
  whatever the size or wording of the knowledge, which is why one policy threshold
  (`low_confidence.scope_confidence_below`) can serve every deployment.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from warmline.adapters.signals.linear import LinearModel, fit_softmax, softmax
from warmline.domain.judge.signals import ScopeVerdict

NEIGHBOURS = 5
CALIBRATION_EXAMPLES = 3000
SOFTMAX_L2 = 10.0

Embed = Callable[[Sequence[str]], npt.NDArray[np.float32]]


def read_knowledge(path: Path) -> list[tuple[str, str]]:
    """(intent, text) pairs of a kb.jsonl; a bad line is reported with its number."""
    pairs = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                intent, text = row["intent"], row["text"]
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise ValueError(f"{path}:{number}: expected {{\"intent\", \"text\"}} "
                                 f"({exc})") from exc
            if not isinstance(intent, str) or not isinstance(text, str):
                raise ValueError(f"{path}:{number}: intent and text must be text")
            pairs.append((intent, text))
    if not pairs:
        raise ValueError(f"{path}: no knowledge entries")
    return pairs


def support(similarities: npt.NDArray[np.floating], k: int = NEIGHBOURS) -> float:
    """Mean of the k largest similarities (all of them when there are fewer)."""
    if similarities.size == 0:
        return 0.0
    k = min(k, similarities.size)
    return float(np.mean(np.partition(similarities, -k)[-k:]))


def _share(sorted_scores: npt.NDArray[np.float64], score: float) -> float:
    """Share of `sorted_scores` at or below `score` (0 when there are none)."""
    if sorted_scores.size == 0:
        return 1.0
    return float(np.searchsorted(sorted_scores, score, side="right")) / sorted_scores.size


@dataclass(frozen=True)
class Calibration:
    """What in-scope messages look like, measured on the knowledge's own examples.

    Two statistics of a message: its *support* (mean cosine to the 5 nearest examples of
    its intent) and its *probability* (the top softmax probability over the intents).
    For a knowledge example each is measured without that example: support leave-one-
    out, probability from a model fitted on the other half of the knowledge. A message's
    statistic is the mean of its two ranks among the examples', and its confidence the
    share of examples whose own statistic is as low or lower (a conformal p-value).
    """

    support: npt.NDArray[np.float64]
    probability: npt.NDArray[np.float64] | None  # None: a single intent, no classifier
    combined: npt.NDArray[np.float64]

    def statistic(self, support_: float, probability: float) -> float:
        if self.probability is None:
            return _share(self.support, support_)
        return (_share(self.support, support_) + _share(self.probability, probability)) / 2

    def confidence(self, support_: float, probability: float) -> float:
        return _share(self.combined, self.statistic(support_, probability))


def calibrate(vectors: npt.NDArray[np.floating], labels: npt.NDArray[np.integer],
              classes: int, limit: int = CALIBRATION_EXAMPLES) -> Calibration:
    """Measure (up to `limit`, evenly spaced) knowledge examples as unseen messages."""
    n = len(vectors)
    chosen = np.unique(np.linspace(0, n - 1, num=min(n, limit)).astype(int))
    kept, supports = [], []
    for start in range(0, len(chosen), 500):
        rows = chosen[start:start + 500]
        sims = vectors[rows] @ vectors.T
        for row, i in zip(sims, rows, strict=True):
            same = labels == labels[i]
            same[i] = False
            if same.any():
                kept.append(i)
                supports.append(support(row[same]))
    s = np.asarray(supports, dtype=np.float64)
    if classes < 2 or not kept:
        return Calibration(np.sort(s), None, np.sort(s))
    p = _held_out_probability(vectors, labels, classes, np.asarray(kept))
    partial = Calibration(np.sort(s), np.sort(p), np.zeros(0))
    combined = np.sort([partial.statistic(a, b) for a, b in zip(s, p, strict=True)])
    return Calibration(partial.support, partial.probability, np.asarray(combined))


def _held_out_probability(vectors: npt.NDArray[np.floating], labels: npt.NDArray[np.integer],
                          classes: int, rows: npt.NDArray[np.int64]
                          ) -> npt.NDArray[np.float64]:
    """Top probability of each example in `rows` from a model that never saw it: the
    knowledge is halved by position and each half is scored by a model of the other."""
    half = np.arange(len(vectors)) % 2
    out = np.zeros(len(rows))
    for h in (0, 1):
        train = half != h
        model = fit_softmax(vectors[train], labels[train], classes, l2=SOFTMAX_L2)
        mine = half[rows] == h
        if mine.any():
            out[mine] = softmax(model.logits(vectors[rows[mine]])).max(axis=1)
    return out


@dataclass(frozen=True)
class KnowledgeScope:
    """A fitted scope check: intents, example vectors, the intent model, the calibration."""

    intents: tuple[str, ...]
    vectors: npt.NDArray[np.float32]
    labels: npt.NDArray[np.int64]
    model: LinearModel | None  # None when the knowledge has a single intent
    calibration: Calibration

    @classmethod
    def fit(cls, pairs: Sequence[tuple[str, str]], embed: Embed) -> KnowledgeScope:
        intents = tuple(sorted({intent for intent, _ in pairs}))
        index = {name: i for i, name in enumerate(intents)}
        labels = np.array([index[intent] for intent, _ in pairs], dtype=np.int64)
        vectors = np.asarray(embed([text for _, text in pairs]), dtype=np.float32)
        model = (fit_softmax(vectors, labels, len(intents), l2=SOFTMAX_L2)
                 if len(intents) > 1 else None)
        return cls(intents, vectors, labels, model,
                   calibrate(vectors, labels, len(intents)))

    @classmethod
    def from_file(cls, path: Path, embed: Embed) -> KnowledgeScope:
        return cls.fit(read_knowledge(path), embed)

    def verdict(self, vector: npt.NDArray[np.floating]) -> ScopeVerdict:
        """The nearest intent and the calibrated confidence that the message is in scope."""
        if self.model is None:
            best, probability = 0, 1.0
        else:
            probs = softmax(self.model.logits(vector[None, :]))[0]
            best, probability = int(np.argmax(probs)), float(np.max(probs))
        sims = self.vectors[self.labels == best] @ np.asarray(vector, dtype=np.float32)
        confidence = self.calibration.confidence(support(sims), probability)
        return ScopeVerdict(in_scope=True, intent=self.intents[best],
                            confidence=round(confidence, 4))
