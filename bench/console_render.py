"""Time to render the agent console's queue view with a thousand handoffs waiting.

The demo store is loaded into a fresh SQLite file and `--waiting` customers of it escalate
through the service (judge, context package, routing: the real events and queue rows),
with nobody online, so every handoff waits. A person who may take from every queue signs
in, and `GET /console/queues` is timed over HTTP in-process (the ASGI app through httpx,
as the integration tests call it), `--n` times:

  first         the first render: every card's facts read from its conversation
  queue_view    the renders after it (cards cached by handoff id; the lanes' rows and
                counts are read from the database every time)
  board_only    the fragment the page re-fetches on each live update
  supervisor_first  the supervisor view computing today's metrics from the event log
                of every conversation started today (then kept for 15 seconds)
  supervisor    the supervisor view after it: live queue figures, today's metrics kept

Prints median and p95 in milliseconds and writes them to var/bench/console_render.json.
The page lists at most 50 handoffs per lane (with each lane's full count).

    .venv/bin/python bench/console_render.py [--waiting 1000] [--n 60]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from warmline.adapters.commerce.sql import SqlCommerceRecord
from warmline.adapters.signals.lexical import LexicalSignals
from warmline.adapters.storage.migrate import upgrade
from warmline.bootstrap import bootstrap
from warmline.config import Config
from warmline.demo.store import build
from warmline.domain import commands as cmd
from warmline.domain.access import Role
from warmline.entrypoints.http.app import create_app
from warmline.service import access

OPEN = datetime(2026, 11, 25, 13, 0, tzinfo=UTC)  # a Wednesday, 14:00 in Berlin
TEXTS = ["Can I talk to a person please?",
         "Please cancel my last order, I ordered the wrong thing.",
         "This is the THIRD time it broke!! I want my money back.",
         "I need to change the delivery address of my order",
         "I want a refund of 250 euros for my order"]
EVERY_SKILL = ["senior", "retention", "billing", "fulfilment", "kitchen", "living", "apparel"]


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


def summary(samples: list[float]) -> dict[str, float]:
    ms = sorted(s * 1000 for s in samples)
    return {"median_ms": round(statistics.median(ms), 2),
            "p95_ms": round(ms[max(-(-len(ms) * 95 // 100) - 1, 0)], 2), "n": len(ms)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--waiting", type=int, default=1000)
    parser.add_argument("--n", type=int, default=60)
    parser.add_argument("--json", type=Path, default=Path("var/bench/console_render.json"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'console.db'}"
        upgrade(url)
        store = build(OPEN)
        SqlCommerceRecord(url).write(store)
        clock = Clock(OPEN - timedelta(hours=1))
        config = Config.from_env({"WARMLINE_DATABASE_URL": url, "WARMLINE_SWEEP_SECONDS": "0",
                                  "WARMLINE_SIGNALS": "lexical", "WARMLINE_AGENT": "none"})
        wl = bootstrap(config, signals=LexicalSignals(), clock=clock)
        refs = [c.ref for c in store.customers]
        started = time.perf_counter()
        escalated = i = 0
        while escalated < args.waiting:  # a message that does not escalate adds nothing
            clock.at = OPEN - timedelta(hours=1) + timedelta(seconds=3 * i)
            outcome = wl.bus.handle(cmd.ReceiveCustomerMessage(
                conversation_id=f"bench-{i}", message_id=f"bench-{i}", reply=False,
                customer_ref=refs[i % len(refs)], text=TEXTS[i % len(TEXTS)]))
            escalated += bool(outcome.decision and outcome.decision["escalate"])
            i += 1
        loading = time.perf_counter() - started
        clock.at = OPEN
        wl.bus.handle(cmd.SaveAgent(agent_id="all", name="All Queues", skills=tuple(EVERY_SKILL),
                                languages=("en", "de", "fr")))
        assert wl.access is not None
        access.add_user(wl.access, "all", Role.AGENT, "bench-password", agent_id="all")
        access.add_user(wl.access, "lead", Role.SUPERVISOR, "bench-password")
        with wl.uow() as uow:
            waiting = sum(c.waiting for c in uow.handoffs.counts(OPEN).values())
        with TestClient(create_app(wl)) as client:
            signed_in = client.post("/console/sign-in",
                                    data={"name": "all", "password": "bench-password"})
            assert signed_in.status_code == 200, signed_in.status_code
            timings: dict[str, list[float]] = {"first": [], "queue_view": [], "board_only": []}
            size = 0
            for i in range(args.n + 1):
                t0 = time.perf_counter()
                r = client.get("/console/queues")
                timings["first" if i == 0 else "queue_view"].append(time.perf_counter() - t0)
                assert r.status_code == 200 and "Claim" in r.text, r.status_code
                size = len(r.content)
            for _ in range(args.n):
                t0 = time.perf_counter()
                client.get("/console/queues/board").raise_for_status()
                timings["board_only"].append(time.perf_counter() - t0)
            client.post("/console/sign-in", follow_redirects=False,
                        data={"name": "lead", "password": "bench-password"})
            timings["supervisor_first"], timings["supervisor"] = [], []
            for i in range(args.n + 1):
                t0 = time.perf_counter()
                client.get("/console/supervisor").raise_for_status()
                timings["supervisor_first" if i == 0 else "supervisor"].append(
                    time.perf_counter() - t0)
        cards = r.text.count('class="card ')
    result = {"waiting": waiting, "cards_shown": cards, "page_bytes": size,
              "load_seconds": round(loading, 1),
              **{name: summary(samples) for name, samples in timings.items()}}
    print(f"{waiting} handoffs waiting (loaded in {loading:.1f} s); the page shows {cards} "
          f"cards, {size / 1024:.0f} KiB")
    for name in ("first", "queue_view", "board_only", "supervisor_first", "supervisor"):
        s = result[name]
        assert isinstance(s, dict)
        print(f"{name:<16} median {s['median_ms']:8.2f} ms   p95 {s['p95_ms']:8.2f} ms   "
              f"n={s['n']}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
