"""Scores of an evaluation: counts that add up, and the figures derived from them.

Counts (not rates) are kept so that folds and sets can be merged exactly; precision,
recall and F1 are those of the positive class, as FORMAT.md asks. The JSON shape of
`Report.to_json` is relied on by other tools: keep its keys stable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


def _ratio(num: int, den: int) -> float | None:
    return None if den == 0 else num / den


@dataclass
class BinaryCounts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, gold: bool, predicted: bool) -> None:
        if gold and predicted:
            self.tp += 1
        elif predicted:
            self.fp += 1
        elif gold:
            self.fn += 1
        else:
            self.tn += 1

    def merge(self, other: BinaryCounts) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        self.tn += other.tn

    @property
    def n(self) -> int:
        return self.tp + self.fp + self.fn + self.tn

    @property
    def support(self) -> int:
        return self.tp + self.fn

    @property
    def precision(self) -> float:
        """Of the turns flagged, the share that were positive (0 when none was flagged)."""
        return _ratio(self.tp, self.tp + self.fp) or 0.0

    @property
    def recall(self) -> float:
        return _ratio(self.tp, self.tp + self.fn) or 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 0.0 if p + r == 0 else 2 * p * r / (p + r)

    def to_json(self) -> dict[str, Any]:
        return {"precision": round(self.precision, 4), "recall": round(self.recall, 4),
                "f1": round(self.f1, 4), "support": self.support, "n": self.n}


@dataclass
class Accuracy:
    correct: int = 0
    total: int = 0

    def add(self, right: bool) -> None:
        self.correct += int(right)
        self.total += 1

    def merge(self, other: Accuracy) -> None:
        self.correct += other.correct
        self.total += other.total

    @property
    def value(self) -> float | None:
        return _ratio(self.correct, self.total)

    def to_json(self) -> float | None:
        value = self.value
        return None if value is None else round(value, 4)


@dataclass
class Prediction:
    """What the engine said about one customer turn, in the terms of the label keys."""

    flags: dict[str, bool]
    intent: str | None = None  # the scope check's best intent, before the in-scope cut
    in_scope: bool | None = None  # None: no scope check configured
    route: str | None = None


@dataclass
class Report:
    name: str
    keys: dict[str, BinaryCounts] = field(default_factory=dict)
    intent: Accuracy = field(default_factory=Accuracy)
    in_scope: Accuracy = field(default_factory=Accuracy)
    oos: Accuracy = field(default_factory=Accuracy)
    route: Accuracy = field(default_factory=Accuracy)
    turns_scored: int = 0

    def score(self, prediction: Prediction, labels: dict[str, Any]) -> None:
        """Score one turn: only the keys present in its labels (absent means unknown)."""
        if not labels:
            return
        self.turns_scored += 1
        for key, gold in labels.items():
            if isinstance(gold, bool) and key in prediction.flags:
                self.keys.setdefault(key, BinaryCounts()).add(gold, prediction.flags[key])
        if labels.get("out_of_scope") is True:
            self.oos.add(prediction.in_scope is False)
        if isinstance(labels.get("intent"), str) and labels.get("out_of_scope") is not True:
            right = prediction.intent == labels["intent"]
            self.intent.add(right)
            # As Larson et al. (2019): an in-scope turn counts only if it is both kept in
            # scope and given the right intent.
            self.in_scope.add(right and prediction.in_scope is not False)
        if isinstance(labels.get("route"), str):
            self.route.add(prediction.route == labels["route"])

    def merge(self, other: Report) -> None:
        for key, counts in other.keys.items():
            self.keys.setdefault(key, BinaryCounts()).merge(counts)
        self.intent.merge(other.intent)
        self.in_scope.merge(other.in_scope)
        self.oos.merge(other.oos)
        self.route.merge(other.route)
        self.turns_scored += other.turns_scored

    def to_json(self) -> dict[str, Any]:
        return {
            "set": self.name,
            "turns_scored": self.turns_scored,
            "keys": {k: c.to_json() for k, c in sorted(self.keys.items())},
            "intent_accuracy": self.intent.to_json(),
            "in_scope_accuracy": self.in_scope.to_json(),
            "oos_recall": self.oos.to_json(),
            "route_accuracy": self.route.to_json(),
        }
