"""What detection with the embedded model costs: per message, in bulk, and in memory.

Prints (and writes as JSON with --json OUT):
- decision cost per customer message with `semantic` signals (the judge, every trigger
  and the assessment), median and p99, against the bare embedding cost of the same
  message, and their ratio (aim: at most 2x); every message is new to the caches;
- embedding throughput in batches of 32 (sentences/s);
- `warmline eval` wall time on each dev set with the shipped heads (--eval-sets);
- peak resident memory (VmHWM) of `warmline serve` with the model loaded.

    .venv/bin/python bench/detection_speed.py [--messages 1000] [--eval-sets] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from warmline.adapters.clock import SystemClock
from warmline.adapters.policy_file import load_policy
from warmline.adapters.signals.embedder import MiniLMEmbedder
from warmline.adapters.signals.semantic import SemanticSignals
from warmline.domain import events as ev
from warmline.domain.judge.decision import judge
from warmline.domain.model import Conversation

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "dev"
BIN = Path(sys.executable).parent


def customer_texts(n: int) -> list[str]:
    """Distinct real customer turns, spread over the dev sets."""
    pools: list[list[str]] = []
    for name in ("bitext", "nlupp_banking", "goemotions", "uss_multiwoz", "clinc150"):
        path = DATA / name / "cases.jsonl"
        if path.exists():
            pools.append([t["text"] for line in path.read_text("utf-8").splitlines()
                          for t in json.loads(line)["turns"] if t["role"] == "customer"])
    seen: dict[str, None] = {}
    for row in range(max(map(len, pools), default=0)):
        for pool in pools:
            if row < len(pool) and len(seen) < n:
                seen.setdefault(pool[row * 7919 % len(pool)])
    return list(seen) or ["Where is my order?", "I want a refund", "Can I talk to someone?"]


def stats(samples: list[float]) -> dict[str, float]:
    ms = sorted(s * 1000 for s in samples)
    return {"median_ms": round(statistics.median(ms), 3),
            "p99_ms": round(ms[max(0, int(len(ms) * 0.99) - 1)], 3), "n": len(ms)}


def decision_cost(texts: list[str], per_conversation: int = 6) -> dict[str, object]:
    bare = MiniLMEmbedder(cache_size=0)
    bare.embed(["warm up"])
    signals = SemanticSignals()
    signals.label_scores("warm up")
    policy, clock = load_policy(), SystemClock()
    embed_s, decide_s = [], []
    conv = Conversation("bench")
    for i, text in enumerate(texts):
        t0 = time.perf_counter()
        bare.embed([text])
        embed_s.append(time.perf_counter() - t0)
        if i % per_conversation == 0:
            conv = Conversation(f"bench-{i}")
        conv.apply(ev.MessageReceived(conversation_id=conv.id, occurred_at=clock.now(),
                                      message_id=str(i), channel="api", text=text))
        t0 = time.perf_counter()
        judge(conv, len(conv.turns) - 1, signals=signals, policy=policy, now=clock.now())
        decide_s.append(time.perf_counter() - t0)
    embed, decide = stats(embed_s), stats(decide_s)
    ratio = round(float(decide["median_ms"]) / float(embed["median_ms"]), 2)
    ratios = sorted(d / e for d, e in zip(decide_s, embed_s, strict=True))
    return {"decision": decide, "bare_embedding": embed, "ratio_of_medians": ratio,
            "median_per_message_ratio": round(statistics.median(ratios), 2)}


def throughput(texts: list[str]) -> float:
    embedder = MiniLMEmbedder(batch_size=32, cache_size=0)
    embedder.embed(texts[:32])
    t0 = time.perf_counter()
    embedder.embed(texts)
    return round(len(texts) / (time.perf_counter() - t0), 1)


def eval_wall_times() -> dict[str, float]:
    out = {}
    for folder in sorted(p.parent for p in DATA.glob("*/cases.jsonl")):
        t0 = time.perf_counter()
        subprocess.run([str(BIN / "warmline"), "eval", str(folder)], check=True,
                       capture_output=True)
        out[folder.name] = round(time.perf_counter() - t0, 1)
        print(f"  warmline eval {folder.name}: {out[folder.name]} s", flush=True)
    return out


def serve_peak_rss(texts: list[str]) -> float:
    """Start `warmline serve`, judge messages through HTTP, read its VmHWM (MiB)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        subprocess.run([str(BIN / "warmline"), "db", "upgrade", "--url", url], check=True,
                       capture_output=True)
        env = {**os.environ, "WARMLINE_DATABASE_URL": url, "WARMLINE_SIGNALS": "semantic"}
        server = subprocess.Popen([str(BIN / "warmline"), "serve", "--port", str(port)],
                                  env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(200):
                try:
                    if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
            with httpx.Client(base_url=base, timeout=30) as client:
                for i, text in enumerate(texts[:200]):
                    client.post(f"/v1/conversations/rss-{i // 6}/messages",
                                json={"message_id": f"rss-{i}", "text": text})
            status = Path(f"/proc/{server.pid}/status").read_text()
            kib = next(int(line.split()[1]) for line in status.splitlines()
                       if line.startswith("VmHWM"))
            return round(kib / 1024, 1)
        finally:
            server.terminate()
            server.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--eval-sets", action="store_true",
                        help="also time `warmline eval` on every dev set (minutes)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    texts = customer_texts(args.messages)
    results: dict[str, object] = {"messages": len(texts)}
    results["semantic_decision_cost"] = cost = decision_cost(texts)
    d, e = cost["decision"], cost["bare_embedding"]  # type: ignore[index]
    print(f"decision cost per customer message (semantic, {len(texts)} new messages): "
          f"median {d['median_ms']} ms, p99 {d['p99_ms']} ms")
    print(f"bare embedding of the same message: median {e['median_ms']} ms, "
          f"p99 {e['p99_ms']} ms; ratio of medians {cost['ratio_of_medians']}x "
          f"(median per-message ratio {cost['median_per_message_ratio']}x)")
    results["embedding_sentences_per_s"] = rate = throughput(texts)
    print(f"embedding throughput (batches of 32, {os.cpu_count()} cores): {rate} sentences/s")
    results["serve_peak_rss_mib"] = rss = serve_peak_rss(texts)
    print(f"peak RSS of `warmline serve` with the model loaded: {rss} MiB")
    if args.eval_sets:
        results["eval_wall_seconds"] = eval_wall_times()
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
