"""Small learned heads on sentence embeddings: one probability per label, and the route.

Each head is a logistic regression on the message's 384-d embedding concatenated with
a few lexical features from the domain (is there an explicit request for a person, a
refund / cancellation / chargeback cue, the emotion intensity of the cue lexicon, the
VADER sentiment), so the lexicon and the model are combined by learned weights rather
than by a hand-set rule. Weights ship as package data (`warmline/data/heads.npz`, with
`heads.json` saying how they were made) and are reproduced by `warmline train`.
Applying them is numpy only: one matrix product per message.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from warmline.adapters.signals.linear import LinearModel, sigmoid, softmax
from warmline.domain.judge.assessment import ROUTES
from warmline.domain.judge.topics import cues
from warmline.domain.judge.triggers.human_request import find_request
from warmline.domain.judge.triggers.negative_emotion import intensity

#: The binary heads, in the order they are stored.
BINARY_HEADS = ("human_request", "negative_emotion", "complaint", "cancellation",
                "refund_request")
ROUTE_PREFIX = "route."
LEXICAL_FEATURES = ("asks_for_person", "refund_cue", "cancellation_cue", "chargeback_cue",
                    "emotion_intensity", "sentiment")
WEIGHTS_FILE = "heads.npz"
PROVENANCE_FILE = "heads.json"


def lexical_features(text: str, sentiment: float) -> list[float]:
    """The lexicon's view of a message, as numbers the heads take besides the embedding."""
    found = {c.topic for c in cues(text, ("refund_request", "cancellation", "chargeback"))}
    level, _, _ = intensity(text, sentiment)
    return [float(find_request(text) is not None), float("refund_request" in found),
            float("cancellation" in found), float("chargeback" in found), float(level),
            float(sentiment)]


@dataclass(frozen=True)
class Heads:
    """Binary heads by label and a route head over `routes`; any of them may be absent."""

    binary: Mapping[str, LinearModel]
    route: LinearModel | None = None
    routes: tuple[str, ...] = ROUTES
    provenance: Mapping[str, Any] = field(default_factory=dict)

    def scores(self, features: npt.NDArray[np.floating]) -> list[dict[str, float]]:
        """Per row of features: {label: probability, "route.<name>": probability}."""
        x = np.atleast_2d(features)
        out: list[dict[str, float]] = [{} for _ in range(len(x))]
        for name, model in self.binary.items():
            for row, p in zip(out, sigmoid(model.logits(x))[:, 0], strict=True):
                row[name] = float(p)
        if self.route is not None:
            probs = softmax(self.route.logits(x))
            for row, ps in zip(out, probs, strict=True):
                row.update({ROUTE_PREFIX + r: float(p)
                            for r, p in zip(self.routes, ps, strict=True)})
        return out

    def to_bytes(self) -> bytes:
        """The weights as a compressed .npz (float32), deterministic byte for byte."""
        arrays: dict[str, npt.NDArray[Any]] = {}
        for name, model in sorted(self.binary.items()):
            arrays[f"{name}.w"] = model.weights.astype(np.float32)
            arrays[f"{name}.b"] = model.bias.astype(np.float32)
        if self.route is not None:
            arrays["route.w"] = self.route.weights.astype(np.float32)
            arrays["route.b"] = self.route.bias.astype(np.float32)
            arrays["route.classes"] = np.array(self.routes)
        buffer = io.BytesIO()
        # np.savez dates every member 1980-01-01: the same weights give the same bytes.
        np.savez(buffer, **arrays)  # type: ignore[arg-type]
        return buffer.getvalue()

    def save(self, directory: Path, provenance: Mapping[str, Any]) -> Path:
        """Write heads.npz and heads.json (provenance plus the weights' sha256)."""
        directory.mkdir(parents=True, exist_ok=True)
        data = self.to_bytes()
        (directory / WEIGHTS_FILE).write_bytes(data)
        meta = {**provenance, "weights_sha256": hashlib.sha256(data).hexdigest()}
        (directory / PROVENANCE_FILE).write_text(json.dumps(meta, indent=2) + "\n",
                                                 encoding="utf-8")
        return directory / WEIGHTS_FILE

    @classmethod
    def from_bytes(cls, data: bytes, provenance: Mapping[str, Any] | None = None) -> Heads:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
        binary = {name: LinearModel(arrays[f"{name}.w"], arrays[f"{name}.b"])
                  for name in BINARY_HEADS if f"{name}.w" in arrays}
        route = None
        routes: tuple[str, ...] = ROUTES
        if "route.w" in arrays:
            route = LinearModel(arrays["route.w"], arrays["route.b"])
            routes = tuple(str(r) for r in arrays["route.classes"])
        return cls(binary, route, routes, dict(provenance or {}))

    @classmethod
    def load(cls, path: Path | None = None) -> Heads:
        """The heads at `path` (a .npz), or the ones shipped with the package."""
        if path is not None:
            meta = path.with_name(PROVENANCE_FILE)
            provenance = json.loads(meta.read_text("utf-8")) if meta.is_file() else {}
            return cls.from_bytes(path.read_bytes(), provenance)
        root = importlib.resources.files("warmline") / "data"
        weights = root / WEIGHTS_FILE
        if not weights.is_file():
            raise RuntimeError("the shipped detection heads are missing "
                               "(warmline/data/heads.npz); rebuild them with `warmline train`")
        provenance = json.loads((root / PROVENANCE_FILE).read_text("utf-8"))
        return cls.from_bytes(weights.read_bytes(), provenance)
