"""Which heads judge which turns: the honest protocols behind the published figures.

- `none`: the shipped heads. Honest only on data they were not trained on (a user's
  export, CLINC150, which has no head labels, or the team's hold-out).
- `folds`: k-fold cross-validation. Cases are split into k folds by a hash of their id;
  for each fold the heads are retrained on the training data *minus every text of that
  fold* (so a duplicate elsewhere in the dev sets cannot leak in) and judge that fold.
- `without-set`: leave the whole set out: heads retrained without any of its texts,
  a check of how the detectors carry over to data of another origin.
Thresholds never change between protocols: they come from the policy.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from warmline.adapters.signals.heads import Heads
from warmline.adapters.signals.knowledge import KnowledgeScope
from warmline.adapters.signals.semantic import SemanticSignals
from warmline.domain.judge.signals import Signals
from warmline.domain.policy import Policy
from warmline.quality.dataset import Case, LabelledSet
from warmline.quality.evaluate import Evaluator
from warmline.quality.metrics import Report
from warmline.quality.train import FeatureCache, normalised, train

PROTOCOLS = ("none", "folds", "without-set")

Tick = Callable[[int], None]
Say = Callable[[str], None]


def fold_of(case_id: str, folds: int) -> int:
    """A case's fold: stable across runs and machines (sha1 of its id)."""
    return int(hashlib.sha1(case_id.encode("utf-8")).hexdigest(), 16) % folds


def texts_of(cases: tuple[Case, ...]) -> frozenset[str]:
    return frozenset(normalised(t.text) for c in cases for t in c.turns)


def evaluate(labelled: LabelledSet, *, policy: Policy, protocol: str = "none",
             signals: Signals | None = None, folds: int = 5, data: Path | None = None,
             tick: Tick | None = None, say: Say | None = None) -> Report:
    """Score `labelled` under `protocol` (see the module docstring)."""
    if protocol not in PROTOCOLS:
        raise ValueError(f"unknown protocol {protocol!r} (known: {', '.join(PROTOCOLS)})")
    if protocol == "none":
        if signals is None:
            signals = SemanticSignals(knowledge=labelled.kb, cache_size=200_000)
        _warm(signals, labelled)
        if isinstance(signals, SemanticSignals) and labelled.kb is not None:
            if say:
                say(f"fitting the scope check on {labelled.kb}")
            signals.knowledge()
        return Evaluator(signals, policy).run(labelled, tick)
    if data is None:
        raise ValueError(f"protocol {protocol!r} retrains the heads: name the training data")
    base = SemanticSignals(cache_size=200_000)
    _warm(base, labelled)
    features = FeatureCache(base)
    scope = _scope(labelled, base, say)
    if protocol == "without-set":
        heads = _retrain(data, texts_of(labelled.cases), features, say, "without this set")
        return Evaluator(_with(base, heads, scope), policy).run(labelled, tick)
    report = Report(labelled.name)
    for k in range(folds):
        held = tuple(c for c in labelled.cases if fold_of(c.id, folds) == k)
        if not held:
            continue
        heads = _retrain(data, texts_of(held), features, say, f"fold {k + 1}/{folds}")
        report.merge(Evaluator(_with(base, heads, scope), policy).run(labelled, tick, held))
    return report


def _warm(signals: Signals, labelled: LabelledSet) -> None:
    """Embed the set's texts in batches first: the same vectors, computed faster."""
    if isinstance(signals, SemanticSignals):
        signals.warm(labelled.texts())


def _scope(labelled: LabelledSet, base: SemanticSignals, say: Say | None
           ) -> KnowledgeScope | None:
    if labelled.kb is None:
        return None
    if say:
        say(f"fitting the scope check on {labelled.kb}")
    return KnowledgeScope.from_file(labelled.kb, base.vectors)


def _retrain(data: Path, exclude: frozenset[str], features: FeatureCache, say: Say | None,
             what: str) -> Heads:
    if say:
        say(f"retraining the heads {what} ({len(exclude)} texts held out)")
    heads, _ = train(data, exclude=exclude, features=features)
    return heads


def _with(base: SemanticSignals, heads: Heads, scope: KnowledgeScope | None
          ) -> SemanticSignals:
    """Signals sharing `base`'s embedder (and its cache) with other heads."""
    return SemanticSignals(embedder=base.embedder, heads=heads, scope_check=scope)
