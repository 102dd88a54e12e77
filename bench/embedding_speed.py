"""Throughput and single-sentence latency of MiniLMEmbedder on this machine.

Why: embeddings sit on the per-turn decision path, so their cost must be known.
Runs with the project's runtime dependencies only (no torch):
    python bench/embedding_speed.py [--count 1000] [--threads 0]
The cache is disabled so every call pays for the model.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from embedding_fidelity import DEV_DATA, dev_sentences  # also puts src/ on sys.path

from warmline.adapters.signals.embedder import MiniLMEmbedder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--singles", type=int, default=300, help="latency samples")
    parser.add_argument("--threads", type=int, default=0, help="intra-op threads, 0 = ort")
    parser.add_argument("--data", type=Path, default=DEV_DATA)
    args = parser.parse_args()

    texts = dev_sentences(args.count, args.data)
    embedder = MiniLMEmbedder(
        batch_size=args.batch_size, cache_size=0, intra_op_num_threads=args.threads
    )
    start = time.perf_counter()
    embedder.embed(texts[:1])
    print(
        f"cores: {os.cpu_count()}, first call (graph build + session): "
        f"{time.perf_counter() - start:.2f} s"
    )

    embedder.embed(texts[: args.batch_size])  # warm-up
    start = time.perf_counter()
    embedder.embed(texts)
    elapsed = time.perf_counter() - start
    print(
        f"throughput: {len(texts) / elapsed:.0f} sentences/s "
        f"({len(texts)} distinct sentences, batch {args.batch_size})"
    )

    latencies = []
    for text in texts[: args.singles]:
        start = time.perf_counter()
        embedder.embed([text])
        latencies.append((time.perf_counter() - start) * 1000)
    print(
        f"single sentence: median {statistics.median(latencies):.2f} ms, "
        f"p99 {float(np.percentile(latencies, 99)):.2f} ms ({len(latencies)} calls)"
    )

    cached = MiniLMEmbedder()
    cached.embed(texts[:1])
    start = time.perf_counter()
    for _ in range(1000):
        cached.embed(texts[:1])
    print(f"cache hit: {(time.perf_counter() - start) * 1000:.3f} us per call")


if __name__ == "__main__":
    main()
