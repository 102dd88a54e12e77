"""The scope check's calibration: confidence is the share of the knowledge scoring lower.

Fake embeddings (hand-made unit vectors) stand in for the model, so the geometry is
known: two intents along two axes, and a message along a third axis is out of scope.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from warmline.adapters.signals.knowledge import (
    Calibration,
    KnowledgeScope,
    read_knowledge,
    support,
)
from warmline.domain.judge.assessment import scope_reading
from warmline.domain.judge.signals import ScopeVerdict

AXES = {"refund": 0, "track": 1, "weather": 2}


def fake_embed(texts: Sequence[str]) -> np.ndarray:
    """'refund 3' -> mostly the refund axis with a little deterministic wobble."""
    out = np.zeros((len(texts), 8), dtype=np.float32)
    for row, text in enumerate(texts):
        word, _, n = text.partition(" ")
        out[row, AXES[word]] = 1.0
        out[row, 3 + int(n or 0) % 5] = 0.05 * (1 + int(n or 0) % 3)
    return out / np.linalg.norm(out, axis=1, keepdims=True)


@pytest.fixture(scope="module")
def scope() -> KnowledgeScope:
    pairs = [("refund", f"refund {i}") for i in range(20)]
    pairs += [("track_order", f"track {i}") for i in range(20)]
    return KnowledgeScope.fit(pairs, fake_embed)


def test_support_is_the_mean_of_the_k_nearest() -> None:
    assert support(np.array([0.1, 0.9, 0.5, 0.7]), k=2) == pytest.approx(0.8)
    assert support(np.array([0.3]), k=5) == pytest.approx(0.3)
    assert support(np.array([]), k=5) == 0.0


def test_confidence_is_the_share_of_knowledge_examples_looking_as_unfamiliar() -> None:
    one_intent = Calibration(np.array([0.2, 0.4, 0.6, 0.8]), None,
                             np.array([0.25, 0.5, 0.75, 1.0]))
    assert [one_intent.confidence(s, 1.0) for s in (0.1, 0.4, 0.5, 0.9)] == [
        0.0, 0.5, 0.5, 1.0]
    both = Calibration(np.array([0.2, 0.4, 0.6, 0.8]), np.array([0.1, 0.3, 0.5, 0.7]),
                       np.array([0.25, 0.5, 0.75, 1.0]))
    assert both.confidence(0.9, 0.9) == 1.0  # familiar on both counts
    assert both.confidence(0.9, 0.05) == 0.5  # a close neighbour, an unsure classifier
    assert both.confidence(0.1, 0.05) == 0.0


def test_a_message_like_the_knowledge_is_in_scope_with_its_intent(
        scope: KnowledgeScope) -> None:
    verdict = scope.verdict(fake_embed(["track 7"])[0])
    assert verdict.intent == "track_order" and verdict.confidence > 0.2


def test_a_message_unlike_anything_known_gets_near_zero_confidence(
        scope: KnowledgeScope) -> None:
    verdict = scope.verdict(fake_embed(["weather 1"])[0])
    assert verdict.confidence == 0.0
    reading = scope_reading(verdict, below=0.01)
    assert reading is not None and not reading.in_scope


def test_the_policy_threshold_decides_and_an_adapter_refusal_always_wins() -> None:
    assert scope_reading(ScopeVerdict(True, "x", 0.02), below=0.01).in_scope  # type: ignore[union-attr]
    assert not scope_reading(ScopeVerdict(True, "x", 0.02), below=0.05).in_scope  # type: ignore[union-attr]
    assert not scope_reading(ScopeVerdict(False, None, 0.9), below=0.01).in_scope  # type: ignore[union-attr]
    assert scope_reading(None, below=0.01) is None


def test_a_single_intent_knowledge_needs_no_classifier() -> None:
    scope = KnowledgeScope.fit([("refund", f"refund {i}") for i in range(6)], fake_embed)
    assert scope.model is None
    assert scope.verdict(fake_embed(["refund 2"])[0]).intent == "refund"


def test_a_bad_knowledge_line_is_reported_with_its_number(tmp_path: Path) -> None:
    kb = tmp_path / "kb.jsonl"
    kb.write_text('{"intent": "a", "text": "x"}\n{"intent": "a"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"kb.jsonl:2"):
        read_knowledge(kb)
