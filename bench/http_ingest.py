"""Ingest over real HTTP: messages/s, decision latency and peak memory of `warmline serve`.

For each database (SQLite, PostgreSQL) and worker count (1, 2, 4) in one run: a fresh
database, a real `warmline serve --workers N` process, and a concurrent asyncio client
(`--concurrency` customers at once, each posting its conversation's messages one after
the other, as a person does). Every request is a customer message; its answer is the
decision, so the client-observed latency is the decision latency over HTTP. Peak memory is
the high-water resident set (VmHWM in /proc/<pid>/status) of each server process, read
just before it stops. Messages are real customer turns from ../shared/data/dev.

    .venv/bin/python bench/http_ingest.py [--messages 1500] [--concurrency 16]
        [--workers 1,2,4] [--databases sqlite,postgresql] [--semantic]
        [--postgres URL] [--json var/bench/http_ingest.json]

`--semantic` adds one row with the embedded sentence model (PostgreSQL, 2 workers).
The figures are printed and written as JSON; nothing here is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from claims import _postgres_schema
from decision_latency import texts

from warmline.adapters.storage import migrate

PER_CONVERSATION = 6
HEADERS = {"Authorization": "Bearer bench-admin-token"}


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _hwm_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def _percentile(ms: list[float], q: float) -> float:
    ordered = sorted(ms)
    return ordered[max(0, min(len(ordered) - 1, round(q * len(ordered)) - 1))]


async def _load(base: str, msgs: list[str], concurrency: int, tag: str) -> dict[str, Any]:
    conversations = [msgs[i:i + PER_CONVERSATION] for i in range(0, len(msgs), PER_CONVERSATION)]
    latencies: list[float] = []
    errors: dict[str, int] = {}
    escalated = 0
    next_conv = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits,
                                 headers=HEADERS) as http:

        async def customer() -> None:
            nonlocal next_conv, escalated
            while next_conv < len(conversations):
                c = next_conv
                next_conv += 1
                for i, text in enumerate(conversations[c]):
                    t0 = time.perf_counter()
                    try:
                        r = await http.post(f"/v1/conversations/{tag}-{c}/messages",
                                            json={"message_id": f"{tag}-{c}-{i}", "text": text})
                        status = str(r.status_code)
                    except httpx.HTTPError as exc:
                        status = type(exc).__name__
                    latencies.append((time.perf_counter() - t0) * 1000)
                    if status in ("200", "201"):
                        escalated += bool(r.json()["decision"]["escalate"])
                    else:
                        errors[status] = errors.get(status, 0) + 1

        start = time.perf_counter()
        await asyncio.gather(*(customer() for _ in range(concurrency)))
        took = time.perf_counter() - start
    return {"messages": len(msgs), "seconds": round(took, 2),
            "messages_per_second": round(len(msgs) / took, 1),
            "median_ms": round(statistics.median(latencies), 2),
            "p99_ms": round(_percentile(latencies, 0.99), 2),
            "errors": errors, "escalated": escalated}


def run(url: str, database: str, workers: int, signals: str, msgs: list[str],
        concurrency: int, log: Path) -> dict[str, Any]:
    port = _free_port()
    env = {**os.environ, "WARMLINE_DATABASE_URL": url, "WARMLINE_RECORD": "none",
           "WARMLINE_SIGNALS": signals, "WARMLINE_SWEEP_SECONDS": "0",
           "WARMLINE_PORT": str(port), "WARMLINE_ADMIN_TOKEN": "bench-admin-token",
           "WARMLINE_RATE_LIMIT_PER_TOKEN": "0"}  # one client token carries every customer
    base = f"http://127.0.0.1:{port}"
    with log.open("ab") as out:
        server = subprocess.Popen([str(Path(sys.executable).parent / "warmline"), "serve",
                                   "--workers", str(workers)], env=env, stdout=out,
                                  stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 180
        with httpx.Client(base_url=base, timeout=5, headers=HEADERS) as http:
            while True:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"warmline serve did not start; see {log}")
                try:
                    if http.get("/healthz").status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.2)
        # warm every worker (imports, the model, connection pools) before the clock starts
        asyncio.run(_load(base, msgs[:30 * workers], min(concurrency, 4 * workers), "warm"))
        figures = asyncio.run(_load(base, msgs, concurrency, "b"))
        pids = [server.pid, *_children(server.pid)]
        memory = {pid: _hwm_mib(pid) for pid in pids}
    finally:
        server.terminate()
        server.wait(timeout=60)
    worker_mib = [m for pid, m in memory.items() if pid != server.pid] or list(memory.values())
    return {"database": database, "workers": workers, "signals": signals,
            "concurrency": concurrency, **figures,
            "peak_rss_mib_per_worker": max(worker_mib),
            "peak_rss_mib_total": round(sum(memory.values()), 1)}


def one(database: str, workers: int, signals: str, args: argparse.Namespace,
        msgs: list[str], tmp: Path) -> dict[str, Any]:
    if database == "sqlite":
        url = f"sqlite:///{tmp / f'ingest-{workers}-{signals}.db'}"
        migrate.upgrade(url)
        return run(url, database, workers, signals, msgs, args.concurrency, tmp / "serve.log")
    url, drop = _postgres_schema(args.postgres)
    try:
        return run(url, database, workers, signals, msgs, args.concurrency,
                   tmp / "serve.log")
    finally:
        drop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=1500)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--semantic", action="store_true",
                        help="add one row with the sentence model (PostgreSQL, 2 workers)")
    parser.add_argument("--postgres", default=os.environ.get(
        "WARMLINE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    msgs = texts(args.messages)
    plan = [(db, int(w), "lexical") for db in args.databases.split(",")
            for w in args.workers.split(",")]
    if args.semantic:
        plan.append(("postgresql", 2, "semantic"))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for database, workers, signals in plan:
            row = one(database, workers, signals, args, msgs, Path(tmp))
            rows.append(row)
            sys.stderr.write(f"  done: {database} x{workers} {signals}\n")
    head = (f"{'database':<11} {'workers':>7} {'signals':<9} {'msgs/s':>7} {'median ms':>9} "
            f"{'p99 ms':>8} {'errors':>6} {'RSS/worker MiB':>14} {'RSS total MiB':>13}\n")
    sys.stdout.write(head)
    for r in rows:
        sys.stdout.write(
            f"{r['database']:<11} {r['workers']:>7} {r['signals']:<9} "
            f"{r['messages_per_second']:>7.1f} {r['median_ms']:>9.1f} {r['p99_ms']:>8.1f} "
            f"{sum(r['errors'].values()):>6} {r['peak_rss_mib_per_worker']:>14.1f} "
            f"{r['peak_rss_mib_total']:>13.1f}\n")
    sys.stdout.write(f"machine: {os.cpu_count()} cores (client and server share them); "
                     f"{args.messages} messages per row, {args.concurrency} customers at once, "
                     f"{PER_CONVERSATION} messages per conversation\n")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
