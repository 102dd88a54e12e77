"""Decision latency per customer message: the judge alone, the service over SQLite, and HTTP.

Prints median and p99 in milliseconds (and writes them as JSON with --json OUT). Messages
are real customer turns from ../shared/data/dev (falling back to the scenario suite), fed
as multi-turn conversations so the looping detector compares against earlier turns.

    .venv/bin/python bench/decision_latency.py [--messages 2000] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

from warmline.adapters.clock import SystemClock
from warmline.adapters.policy_file import load_policy
from warmline.adapters.signals.lexical import LexicalSignals
from warmline.adapters.storage.migrate import upgrade
from warmline.bootstrap import bootstrap
from warmline.config import Config
from warmline.domain import commands as cmd
from warmline.domain import events as ev
from warmline.domain.judge.decision import judge
from warmline.domain.model import Conversation
from warmline.entrypoints.http.app import create_app

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "dev"


def texts(n: int) -> list[str]:
    out: list[str] = []
    for name in ("bitext", "nlupp_banking", "goemotions", "uss_multiwoz"):
        path = DATA / name / "cases.jsonl"
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            for turn in json.loads(line)["turns"]:
                if turn["role"] == "customer":
                    out.append(turn["text"])
    if not out:
        out = ["Where is my order?", "I want a refund of €250", "Can I talk to someone?"]
    return [out[(i * 7919) % len(out)] for i in range(n)]


def summary(samples: list[float]) -> dict[str, float]:
    ms = sorted(s * 1000 for s in samples)
    return {"median_ms": round(statistics.median(ms), 3),
            "p99_ms": round(ms[int(len(ms) * 0.99) - 1], 3), "n": len(ms)}


def bench_judge(msgs: list[str], per_conv: int) -> dict[str, float]:
    signals, policy, clock = LexicalSignals(), load_policy(), SystemClock()
    samples = []
    conv = Conversation("bench")
    for i, text in enumerate(msgs):
        if i % per_conv == 0:
            conv = Conversation(f"bench-{i}")
        conv.apply(ev.MessageReceived(conversation_id=conv.id, occurred_at=clock.now(),
                                      message_id=str(i), channel="api", text=text))
        t0 = time.perf_counter()
        judge(conv, len(conv.turns) - 1, signals=signals, policy=policy, now=clock.now())
        samples.append(time.perf_counter() - t0)
    return summary(samples)




def bench_service(msgs: list[str], per_conv: int, url: str) -> dict[str, float]:
    wl = bootstrap(Config.from_env({"WARMLINE_DATABASE_URL": url}))
    samples = []
    for i, text in enumerate(msgs):
        c = cmd.ReceiveCustomerMessage(conversation_id=f"svc-{i // per_conv}",
                                       message_id=f"svc-{i}", text=text)
        t0 = time.perf_counter()
        wl.bus.handle(c)
        samples.append(time.perf_counter() - t0)
    return summary(samples)


def bench_http(msgs: list[str], per_conv: int, url: str) -> dict[str, float]:
    wl = bootstrap(Config.from_env({"WARMLINE_DATABASE_URL": url}))
    samples = []
    with TestClient(create_app(wl)) as client:
        for i, text in enumerate(msgs):
            body = {"message_id": f"http-{i}", "text": text}
            t0 = time.perf_counter()
            r = client.post(f"/v1/conversations/http-{i // per_conv}/messages", json=body)
            samples.append(time.perf_counter() - t0)
            if r.status_code >= 300:
                sys.exit(f"HTTP {r.status_code}: {r.text}")
    return summary(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--per-conversation", type=int, default=6)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    msgs = texts(args.messages)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        upgrade(url)
        results = {
            "judge_only_lexical": bench_judge(msgs, args.per_conversation),
            "service_sqlite": bench_service(msgs, args.per_conversation, url),
            "http_sqlite": bench_http(msgs, args.per_conversation, url),
        }
    signals = Config.from_env({}).signals
    print(f"decision latency per customer message ({args.messages} messages, "
          f"{args.per_conversation} per conversation; service and HTTP use the default "
          f"`{signals}` signals, the judge-only line the lexical ones)")
    for name, r in results.items():
        print(f"  {name:<20} median {r['median_ms']:>8.3f} ms   p99 {r['p99_ms']:>8.3f} ms")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
