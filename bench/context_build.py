"""Time to build a warm-handoff context package with the commerce record in SQLite.

The demo store (312 customers, ~700 orders) is loaded into a fresh SQLite file; escalating
messages about real orders of random customers are then timed three ways:

  package_build     read the customer's record from SQLite + build the package + to JSON
                    (what an escalation adds on top of judging)
  escalation_e2e    one escalating customer message through the service: judge, build
                    the package, append the events, commit (SQLite, WAL)
  context_read      what a human opening the handoff costs: the stored package, the
                    record read live and the diff (`GET /v1/conversations/{id}/context`)

Prints median and p99 in milliseconds. Signals are lexical (VADER) so the figure is the
package's cost, not the sentence model's; pass --signals semantic to include it.

    .venv/bin/python bench/context_build.py [--n 1000] [--signals lexical] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from pathlib import Path

from warmline.adapters.commerce.sql import SqlCommerceRecord
from warmline.adapters.policy_file import load_policy
from warmline.adapters.storage.migrate import upgrade
from warmline.bootstrap import bootstrap, build_signals
from warmline.config import Config
from warmline.demo.store import build
from warmline.domain import commands as cmd
from warmline.domain import events as ev
from warmline.domain.judge.decision import judge
from warmline.domain.model import Conversation
from warmline.domain.package.builder import build_package
from warmline.service.views.package import live_view

TEMPLATES = ["Hi, I'd like a refund for order #{order} please.",
             "Can I talk to someone about order {order}?",
             "Please cancel order {order}, I ordered the wrong thing.",
             "Order #{order} arrived broken and this is the third time. I want my money back!"]


def summary(samples: list[float]) -> dict[str, float]:
    ms = sorted(s * 1000 for s in samples)
    return {"median_ms": round(statistics.median(ms), 3),
            "p99_ms": round(ms[max(int(len(ms) * 0.99) - 1, 0)], 3), "n": len(ms)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--signals", default="lexical", choices=("lexical", "semantic"))
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    rng = random.Random(7)
    batch = build()
    cases = [(o.customer_ref, o.id) for o in batch.orders]
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        upgrade(url)
        record = SqlCommerceRecord(url)
        record.write(batch)
        config = Config.from_env({"WARMLINE_DATABASE_URL": url,
                                  "WARMLINE_SIGNALS": args.signals})
        signals = build_signals(config.signals, config.kb)
        policy = load_policy()
        wl = bootstrap(config, signals=signals, policy=policy)
        built, e2e, read = [], [], []
        escalated = 0
        for i in range(args.n):
            ref, order = rng.choice(cases)
            text = rng.choice(TEMPLATES).format(order=order)
            conv = Conversation.replay(f"b{i}", [
                ev.ConversationStarted(conversation_id=f"b{i}", occurred_at=wl.bus.deps.clock
                                       .now(), channel="web", customer_ref=ref),
                ev.MessageReceived(conversation_id=f"b{i}", occurred_at=wl.bus.deps.clock
                                   .now(), message_id="1", channel="web", text=text)])
            now = wl.bus.deps.clock.now()
            facts = record.customer_facts(ref)
            decision = judge(conv, 0, signals=signals, policy=policy, now=now, record=facts)
            if decision.escalate:
                escalation = ev.EscalationTriggered(conversation_id=conv.id, occurred_at=now,
                                                    turn=0, hits=decision.firing,
                                                    policy_version=policy.version)
                conv.apply(escalation)
                t0 = time.perf_counter()
                full = record.customer_record(ref)
                json.dumps(build_package(conv, escalation, record=full, signals=signals,
                                         policy=policy, now=now).to_dict())
                built.append(time.perf_counter() - t0)
            cid = f"svc-{i}"
            t0 = time.perf_counter()
            out = wl.bus.handle(cmd.ReceiveCustomerMessage(
                conversation_id=cid, message_id=cid, text=text, customer_ref=ref))
            elapsed = time.perf_counter() - t0
            if out.decision and out.decision["escalate"]:
                escalated += 1
                e2e.append(elapsed)
                t0 = time.perf_counter()
                live_view(wl.uow, record, cid, wl.bus.deps.clock.now())
                read.append(time.perf_counter() - t0)
    results = {"package_build": summary(built), "escalation_e2e": summary(e2e),
               "context_read": summary(read)}
    print(f"context package, record in SQLite ({len(batch.customers)} customers, "
          f"{len(batch.orders)} orders; {escalated}/{args.n} messages escalated; "
          f"signals {args.signals})")
    for name, r in results.items():
        print(f"  {name:<16} median {r['median_ms']:>8.3f} ms   p99 {r['p99_ms']:>8.3f} ms"
              f"   (n={r['n']})")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
