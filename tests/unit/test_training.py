"""`warmline train`: deterministic fits, the weights' provenance, and numpy heads.

A fake embedder (a hash of the words) stands in for the model, so these run in
milliseconds; the real model's heads are checked in tests/contract.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from warmline.adapters.signals.heads import BINARY_HEADS, Heads
from warmline.adapters.signals.linear import fit_binary, fit_softmax, sigmoid, softmax
from warmline.adapters.signals.semantic import SemanticSignals
from warmline.quality.train import train


class WordHashEmbedder:
    """Bag of hashed words in 384 dimensions, unit length: enough to separate topics."""

    dimension = 384

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), 384), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                out[row, int(hashlib.md5(word.encode()).hexdigest(), 16) % 384] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1.0, norms)


ASKS = ["i want a human", "let me talk to an agent", "get me a person now",
        "connect me to someone real", "a human please"]
OTHER = ["where is my parcel", "cancel my order please", "i need a refund",
         "my invoice is wrong", "how do i reset my password", "what are your hours"]


def write_sets(root: Path) -> Path:
    folder = root / "shop"
    folder.mkdir(parents=True)
    (folder / "CARD.md").write_text("- **source**: made up for a test\n- **licence**: CC0\n")
    lines = []
    for i, text in enumerate(ASKS + OTHER):
        labels = {"human_request": text in ASKS, "route": "general" if text in ASKS
                  else ("billing" if "refund" in text or "invoice" in text else "fulfilment")}
        lines.append(json.dumps({"id": f"c{i}", "turns": [
            {"role": "customer", "text": text, "labels": labels}]}))
    (folder / "cases.jsonl").write_text("\n".join(lines) + "\n")
    return root


def test_training_twice_gives_the_same_bytes_and_records_its_data(tmp_path: Path) -> None:
    data = write_sets(tmp_path / "data")
    signals = SemanticSignals(embedder=WordHashEmbedder())
    first, meta = train(data, signals=signals)
    second, _ = train(data, signals=signals)
    assert first.to_bytes() == second.to_bytes()
    assert meta["data"] == [{"set": "shop", "source": "made up for a test", "licence": "CC0",
                             "turns": {"human_request": [5, 11], "route": [11, 11]}}]
    assert set(first.binary) == {"human_request"}  # only keys with labels get a head
    first.save(tmp_path / "out", meta)
    loaded = Heads.load(tmp_path / "out" / "heads.npz")
    assert loaded.provenance["weights_sha256"] == hashlib.sha256(first.to_bytes()).hexdigest()


def test_a_trained_head_separates_what_it_was_shown(tmp_path: Path) -> None:
    data = write_sets(tmp_path / "data")
    signals = SemanticSignals(embedder=WordHashEmbedder())
    heads, _ = train(data, signals=signals)
    scored = SemanticSignals(embedder=WordHashEmbedder(), heads=heads)
    assert scored.label_scores("i want a human")["human_request"] > 0.5
    assert scored.label_scores("where is my parcel")["human_request"] < 0.5
    assert max(("general", "billing", "fulfilment"),
               key=lambda r: scored.label_scores("i need a refund")[f"route.{r}"]) == "billing"


def test_logistic_regression_recovers_a_separable_rule() -> None:
    rng = np.random.default_rng(7)
    x = rng.normal(size=(400, 3))
    y = x[:, 0] - 2 * x[:, 1] > 0
    model = fit_binary(x, y, l2=0.1)
    assert ((sigmoid(model.logits(x))[:, 0] > 0.5) == y).mean() > 0.97
    labels = np.argmax(x, axis=1)
    multi = fit_softmax(x, labels, 3, l2=0.1)
    assert (softmax(multi.logits(x)).argmax(axis=1) == labels).mean() > 0.95


def test_heads_without_a_route_model_still_score_every_binary_label() -> None:
    model = fit_binary(np.eye(4), np.array([True, False, False, True]))
    heads = Heads({name: model for name in BINARY_HEADS})
    [scores] = heads.scores(np.ones(4))
    assert set(scores) == set(BINARY_HEADS)
    assert Heads.from_bytes(heads.to_bytes()).route is None
