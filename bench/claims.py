"""Claims per second: PostgreSQL with 1, 2 and 4 worker processes, and SQLite, in one run.

Each worker is a separate process running the real service path (message bus → unit of
work → FOR UPDATE SKIP LOCKED claim, with the agent's capacity check and live-update
notice), claiming as one agent until the queue is empty. The queue is bulk-inserted
and ANALYZEd first; the clock starts when every worker is connected and ready.

    .venv/bin/python bench/claims.py [--handoffs 4000] [--workers 1,2,4]
        [--postgres URL] [--json out.json]

Prints one row per run; every handoff must be claimed exactly once or the run fails.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import queue
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert
from sqlalchemy.engine import make_url

from warmline.adapters.signals.lexical import LexicalSignals
from warmline.adapters.storage import migrate
from warmline.adapters.storage.engine import make_engine
from warmline.adapters.storage.schema import handoffs
from warmline.bootstrap import bootstrap
from warmline.config import Config
from warmline.domain.commands import ClaimNext, SaveAgent, SetPresence

POLICY = "version: bench\nrouting:\n  offer_seconds: 3600\n  auto_offer: false\n"


def _config(url: str, policy: str) -> Config:
    return Config.from_env({"WARMLINE_DATABASE_URL": url, "WARMLINE_RECORD": "none",
                            "WARMLINE_SIGNALS": "lexical", "WARMLINE_SWEEP_SECONDS": "0",
                            "WARMLINE_POLICY": policy})


def _worker(url: str, policy: str, agent: str, ready: Any, go: Any, out: Any) -> None:
    bus = bootstrap(_config(url, policy), signals=LexicalSignals()).bus
    with bus.uow_factory() as uow:  # connect before the clock starts
        uow.agents.get(agent)
    ready.put(agent)
    go.wait()
    got = []
    while (h := bus.handle(ClaimNext(agent_id=agent))) is not None:
        got.append(h.id)
    out.put((agent, got, time.perf_counter()))


def _fill(url: str, n: int, agents: list[str], policy: str) -> None:
    wl = bootstrap(_config(url, policy), signals=LexicalSignals())
    for a in agents:
        wl.bus.handle(SaveAgent(agent_id=a, skills=("retention", "billing"), capacity=n + 1))
        wl.bus.handle(SetPresence(agent_id=a, presence="online"))
    engine = make_engine(url)
    t0 = datetime.now(UTC) - timedelta(minutes=1)
    rows = [{"id": f"b{i:07d}", "conversation_id": f"c{i:07d}",
             "queue": ("retention", "billing", "general")[i % 3],
             "priority": (40, 60, 80)[i // 3 % 3], "state": "queued", "rule": "bench",
             "enqueued_at": t0 + timedelta(microseconds=i),
             "queued_at": t0, "waiting_since": t0, "available_at": t0, "step": 0,
             "alerted": False, "callback": False, "transfers": 0, "updated_at": t0}
            for i in range(n)]
    with engine.begin() as conn:
        for start in range(0, n, 2000):
            conn.execute(insert(handoffs), rows[start:start + 2000])
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE handoffs")
    engine.dispose()


def run(url: str, n: int, workers: int, policy: str) -> dict[str, Any]:
    agents = [f"agent{i}" for i in range(workers)]
    _fill(url, n, agents, policy)
    ctx = mp.get_context("spawn")
    ready, out, go = ctx.Queue(), ctx.Queue(), ctx.Event()
    procs = [ctx.Process(target=_worker, args=(url, policy, a, ready, go, out))
             for a in agents]
    for p in procs:
        p.start()
    for _ in procs:
        ready.get(timeout=120)
    start = time.perf_counter()
    go.set()
    results = []
    while len(results) < len(procs):
        try:
            results.append(out.get(timeout=5))
        except queue.Empty:
            dead = [p.exitcode for p in procs if p.exitcode not in (None, 0)]
            if dead:
                raise SystemExit(f"a worker failed (exit codes {dead})") from None
    for p in procs:
        p.join()
    for q in (ready, out):
        q.close()
        q.join_thread()
    took = max(end for _, _, end in results) - start
    every = [hid for _, got, _ in results for hid in got]
    dup = sum(1 for c in Counter(every).values() if c > 1)
    if len(every) != n or dup:
        raise SystemExit(f"claims went wrong: {len(every)} of {n}, {dup} duplicated")
    return {"workers": workers, "handoffs": n, "seconds": round(took, 3),
            "claims_per_second": round(n / took, 1),
            "per_worker": sorted(len(got) for _, got, _ in results)}


def _postgres_schema(base: str) -> tuple[str, Callable[[], None]]:
    """A fresh migrated schema on `base` (via search_path) and the function that drops it."""
    schema = f"warmline_bench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(base)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    rendered = url.render_as_string(hide_password=False)
    migrate.upgrade(rendered)

    def drop() -> None:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()

    return rendered, drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--handoffs", type=int, default=4000)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--postgres", default=os.environ.get(
        "WARMLINE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        policy = str(Path(tmp) / "policy.yaml")
        Path(policy).write_text(POLICY, encoding="utf-8")
        rows = []
        for w in (int(x) for x in args.workers.split(",")):
            url, drop = _postgres_schema(args.postgres)
            try:
                rows.append({"database": "postgresql", **run(url, args.handoffs, w, policy)})
            finally:
                drop()
        sqlite = f"sqlite:///{Path(tmp) / 'bench.db'}"
        migrate.upgrade(sqlite)
        rows.append({"database": "sqlite", **run(sqlite, args.handoffs, 1, policy)})
    sys.stdout.write(f"{'database':<11} {'workers':>7} {'handoffs':>8} {'seconds':>8} "
                     f"{'claims/s':>9}  per worker\n")
    for r in rows:
        sys.stdout.write(f"{r['database']:<11} {r['workers']:>7} {r['handoffs']:>8} "
                         f"{r['seconds']:>8.2f} {r['claims_per_second']:>9.1f}  "
                         f"{r['per_worker']}\n")
    sys.stdout.write(f"machine: {os.cpu_count()} cores; every handoff claimed exactly once\n")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
