"""Replay throughput in customer turns per second (docs/replay.md).

Plays N synthetic conversations (3 customer turns with a bot reply between, texts from
../shared/data/dev, so texts recur as they do in a real store) through the same
`Replayer` that `warmline replay` uses, under three signal set-ups:

* lexical — no model;
* semantic, no cache — every embedding computed when asked (cache size 0);
* semantic, cached — every text embedded beforehand in batches (`warm`; its time is
  printed apart), so the replay itself only reads vectors.

    .venv/bin/python bench/replay_speed.py [--conversations 10000] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from warmline.adapters.policy_file import load_policy
from warmline.adapters.signals.lexical import LexicalSignals
from warmline.quality.replay import Replayer, Step

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "dev"
REPLIES = ("Let me check that for you.", "Here is our returns policy: 30 days.",
           "Your order is on its way.")


def texts() -> list[str]:
    out: list[str] = []
    for name in ("bitext", "nlupp_banking", "goemotions", "uss_multiwoz"):
        path = DATA / name / "cases.jsonl"
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                out += [t["text"] for t in json.loads(line)["turns"] if t["role"] == "customer"]
    return out or ["Where is my order?", "I want a refund of €250", "Can I talk to someone?"]


def conversations(n: int) -> list[list[Step]]:
    pool = texts()
    convs = []
    for i in range(n):
        steps: list[Step] = []
        for j in range(3):
            steps.append(Step("customer", pool[(i * 7919 + j * 104729) % len(pool)]))
            if j < 2:
                steps.append(Step("agent", REPLIES[(i + j) % 3], confidence=0.8))
        convs.append(steps)
    return convs


def run(label: str, replayer: Replayer, convs: list[list[Step]]) -> dict[str, float]:
    t0 = time.perf_counter()
    for i, steps in enumerate(convs):
        replayer.play(f"bench-{i}", steps)
    seconds = time.perf_counter() - t0
    turns = sum(s.kind == "customer" for c in convs for s in c)
    result = {"conversations": len(convs), "customer_turns": turns,
              "seconds": round(seconds, 2), "turns_per_second": round(turns / seconds, 1)}
    print(f"{label:<22} {len(convs):>6} conversations  {turns:>6} customer turns  "
          f"{seconds:8.1f} s  {turns / seconds:8.1f} turns/s", flush=True)
    return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--conversations", type=int, default=10_000)
    ap.add_argument("--uncached", type=int, default=None,
                    help="conversations for the uncached run (default: the same)")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    from warmline.adapters.signals.semantic import SemanticSignals

    policy = load_policy()
    convs = conversations(args.conversations)
    results = {"lexical": run("lexical", Replayer(policy, LexicalSignals()), convs)}
    cold = SemanticSignals(cache_size=0)
    uncached = convs[:args.uncached] if args.uncached else convs
    results["semantic_uncached"] = run("semantic, no cache", Replayer(policy, cold), uncached)
    warm = SemanticSignals(cache_size=200_000)
    t0 = time.perf_counter()
    unique = sorted({s.text for c in convs for s in c})
    warm.warm(unique)
    warm_seconds = time.perf_counter() - t0
    print(f"{'embedding the texts':<22} {len(unique):>6} unique texts, batched "
          f"{warm_seconds:8.1f} s", flush=True)
    results["semantic_cached"] = run("semantic, cached", Replayer(policy, warm), convs)
    results["semantic_cached"]["warm_seconds"] = round(warm_seconds, 2)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
