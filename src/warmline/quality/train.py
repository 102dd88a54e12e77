"""`warmline train`: fit the detection heads on the licensed dev sets, reproducibly.

One example per labelled customer turn; each head learns from the turns that carry its
key (a missing label is unknown, never false), the route head from the turns with a
`route`. The fit is deterministic (Newton / L-BFGS from zero weights, no sampling), so
the same data and code give the same weights byte for byte; `heads.json` records the
data, their sources and licences, counts, the code commit and the weights' sha256.
`exclude` leaves texts out, which is how evaluation retrains without its held-out turns.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from warmline.adapters.signals.heads import (
    BINARY_HEADS,
    LEXICAL_FEATURES,
    Heads,
    lexical_features,
)
from warmline.adapters.signals.linear import LinearModel, fit_binary, fit_softmax
from warmline.adapters.signals.semantic import SemanticSignals
from warmline.domain.judge.assessment import ROUTES
from warmline.quality.dataset import labelled_turns

#: Penalty on standardised weights and the loss weight of positives (labels are rare).
L2 = 10.0
POSITIVE_WEIGHT = 3.0
ROUTE_L2 = 10.0

Progress = Callable[[str], None]


def normalised(text: str) -> str:
    """The form texts are compared in when leaving held-out turns out of training."""
    return " ".join(text.lower().split())


@dataclass
class Examples:
    texts: list[str] = field(default_factory=list)
    labels: list[dict[str, Any]] = field(default_factory=list)
    sets: list[str] = field(default_factory=list)

    def count(self, key: str, set_name: str | None = None) -> tuple[int, int]:
        """(positives, labelled) for a boolean key, optionally within one set."""
        rows = [lab[key] for lab, s in zip(self.labels, self.sets, strict=True)
                if key in lab and (set_name is None or s == set_name)]
        return sum(1 for v in rows if v is True), len(rows)


def training_sets(data: Path) -> tuple[list[Path], list[dict[str, str]]]:
    """The licensed set folders under `data`, and the ones left out with the reason.

    A set trains the shipped weights only when its CARD.md names a licence: weights are
    redistributed, so data whose annotations carry no licence (CARD: "none stated")
    may be evaluated on but never learned from.
    """
    found = sorted(p.parent for p in data.glob("*/cases.jsonl"))
    if not found:
        raise ValueError(f"{data}: no */cases.jsonl; point --data at a folder of sets")
    used, skipped = [], []
    for folder in found:
        licence = _card(folder).get("licence", "")
        if not licence or licence.lower().startswith(("none", "unknown")):
            skipped.append({"set": folder.name,
                            "reason": f"no licence stated ({licence or 'no CARD.md'})"})
        else:
            used.append(folder)
    return used, skipped


def collect(folders: Iterable[Path], exclude: frozenset[str] = frozenset()) -> Examples:
    """Every labelled customer turn of `folders` that carries a key a head learns."""
    keys = {*BINARY_HEADS, "route"}
    out = Examples()
    for folder in folders:
        for _, text, labels in labelled_turns(folder):
            useful = {k: v for k, v in labels.items() if k in keys}
            if useful and normalised(text) not in exclude:
                out.texts.append(text)
                out.labels.append(useful)
                out.sets.append(folder.name)
    return out


class FeatureCache:
    """Embedding + lexical features per text, computed once per process."""

    def __init__(self, signals: SemanticSignals) -> None:
        self.signals = signals
        self._rows: dict[str, npt.NDArray[np.float64]] = {}

    def matrix(self, texts: list[str], progress: Progress | None = None
               ) -> npt.NDArray[np.float64]:
        todo = list(dict.fromkeys(t for t in texts if t not in self._rows))
        for start in range(0, len(todo), 256):
            chunk = todo[start:start + 256]
            vectors = self.signals.vectors(chunk)
            for text, vector in zip(chunk, vectors, strict=True):
                lexical = lexical_features(text, self.signals.sentiment(text))
                self._rows[text] = np.concatenate([vector.astype(np.float64), lexical])
            if progress:
                progress(f"features {min(start + 256, len(todo))}/{len(todo)}")
        width = self.signals.embedder.dimension + len(LEXICAL_FEATURES)
        return np.stack([self._rows[t] for t in texts]) if texts else np.zeros((0, width))


def fit_heads(examples: Examples, features: FeatureCache,
              progress: Progress | None = None) -> Heads:
    x = features.matrix(examples.texts, progress)
    binary: dict[str, LinearModel] = {}
    for key in BINARY_HEADS:
        rows = [i for i, lab in enumerate(examples.labels) if key in lab]
        y = np.array([examples.labels[i][key] is True for i in rows])
        if rows and y.any() and not y.all():
            if progress:
                progress(f"fitting {key} on {len(rows)} turns")
            binary[key] = fit_binary(x[rows], y, l2=L2, positive_weight=POSITIVE_WEIGHT)
    route_rows = [i for i, lab in enumerate(examples.labels) if lab.get("route") in ROUTES]
    route = None
    if route_rows:
        if progress:
            progress(f"fitting route on {len(route_rows)} turns")
        y_route = np.array([ROUTES.index(examples.labels[i]["route"]) for i in route_rows])
        route = fit_softmax(x[route_rows], y_route, len(ROUTES), l2=ROUTE_L2)
    return Heads(binary, route, ROUTES)


def provenance(folders: list[Path], examples: Examples, data: Path,
               skipped: list[dict[str, str]]) -> dict[str, Any]:
    """Where the weights come from: sets (source, licence, counts), code, date."""
    sets = []
    for folder in folders:
        card = _card(folder)
        counts = {k: list(examples.count(k, folder.name)) for k in BINARY_HEADS
                  if examples.count(k, folder.name)[1]}
        routes = sum(1 for lab, s in zip(examples.labels, examples.sets, strict=True)
                     if s == folder.name and "route" in lab)
        if routes:
            counts["route"] = [routes, routes]
        if counts:
            sets.append({"set": folder.name, "source": card.get("source"),
                         "licence": card.get("licence"), "turns": counts})
    return {
        "what": "logistic-regression heads on all-MiniLM-L6-v2 embeddings + lexical features",
        "command": f"warmline train --data {data}",
        "data": sets,
        "not_used": skipped,
        "examples": len(examples.texts),
        "features": ["embedding[384]", *LEXICAL_FEATURES],
        "hyperparameters": {"l2": L2, "positive_weight": POSITIVE_WEIGHT, "route_l2": ROUTE_L2},
        "seed": None,
        "determinism": "no sampling: Newton / L-BFGS from zero weights",
        "code_commit": _git_commit(),
        "date": dt.datetime.now(dt.UTC).date().isoformat(),
    }


def _card(folder: Path) -> dict[str, str]:
    """`source` and `licence` from a set's CARD.md (its '- **name**: value' lines)."""
    card = folder / "CARD.md"
    if not card.is_file():
        return {}
    text = card.read_text(encoding="utf-8")
    found = dict(re.findall(r"^- \*\*(source|licence)\*\*: (.+)$", text, flags=re.M))
    return {k: v.strip() for k, v in found.items()}


def _git_commit() -> str | None:
    try:
        done = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True,
                              timeout=5, cwd=Path(__file__).parent, check=False)
    except OSError:
        return None
    return done.stdout.strip() or None if done.returncode == 0 else None


def train(data: Path, *, signals: SemanticSignals | None = None,
          exclude: frozenset[str] = frozenset(), features: FeatureCache | None = None,
          progress: Progress | None = None) -> tuple[Heads, dict[str, Any]]:
    """Fit every head on the sets under `data` (minus `exclude`); heads and provenance."""
    folders, skipped = training_sets(data)
    examples = collect(folders, exclude)
    features = features or FeatureCache(signals or SemanticSignals(cache_size=200_000))
    heads = fit_heads(examples, features, progress)
    return heads, provenance(folders, examples, data, skipped)
