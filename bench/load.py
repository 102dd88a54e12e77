"""`make load`: a real `warmline serve`, then locust headless for two minutes at a fixed
arrival rate (bench/locustfile.py: every user sends one request per second).

Prints and writes (--json) the request count, the error count and the latency
percentiles per endpoint and in aggregate, from locust's own statistics (CSV).

    .venv/bin/python bench/load.py [--users 50] [--minutes 2] [--database sqlite]
        [--workers 1] [--postgres URL] [--json var/bench/load.json]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from http_ingest import _free_port, _postgres_schema

from warmline.adapters.storage import migrate

BIN = Path(sys.executable).parent
HERE = Path(__file__).resolve().parent
PERCENTILES = ("50%", "90%", "95%", "99%", "99.9%", "100%")


def _rows(stats_csv: Path) -> list[dict[str, Any]]:
    rows = []
    with stats_csv.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            rows.append({"name": row["Name"], "method": row["Type"],
                         "requests": int(row["Request Count"]),
                         "failures": int(row["Failure Count"]),
                         "requests_per_second": round(float(row["Requests/s"]), 1),
                         "median_ms": float(row["Median Response Time"]),
                         "average_ms": round(float(row["Average Response Time"]), 1),
                         **{f"p{p.rstrip('%')}_ms": float(row[p]) for p in PERCENTILES
                            if row.get(p) not in (None, "", "N/A")}})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=50, help="= requests per second")
    parser.add_argument("--minutes", type=float, default=2)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--postgres", default=os.environ.get(
        "WARMLINE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        drop = None
        if args.database == "sqlite":
            url = f"sqlite:///{tmp / 'load.db'}"
            migrate.upgrade(url)
        else:
            url, drop = _postgres_schema(args.postgres)
        port = _free_port()
        env = {**os.environ, "WARMLINE_DATABASE_URL": url, "WARMLINE_RECORD": "none",
               "WARMLINE_SIGNALS": "lexical", "WARMLINE_PORT": str(port),
               "WARMLINE_ADMIN_TOKEN": "load-admin-token",
               "WARMLINE_RATE_LIMIT_PER_TOKEN": "0"}  # one token for every simulated customer
        log = (tmp / "serve.log").open("wb")
        server = subprocess.Popen([str(BIN / "warmline"), "serve", "--workers",
                                   str(args.workers)], env=env, stdout=log,
                                  stderr=subprocess.STDOUT)
        host = f"http://127.0.0.1:{port}"
        try:
            for _ in range(600):
                try:
                    if httpx.get(f"{host}/healthz", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.2)
            seconds = int(args.minutes * 60)
            done = subprocess.run(
                [str(BIN / "locust"), "-f", str(HERE / "locustfile.py"), "--headless",
                 "-u", str(args.users), "-r", str(max(1, args.users // 5)),
                 "-t", f"{seconds}s", "--host", host, "--csv", str(tmp / "load"),
                 "--only-summary", "--stop-timeout", "10"],
                capture_output=True, text=True, check=False)
            rows = _rows(tmp / "load_stats.csv")
        finally:
            server.terminate()
            server.wait(timeout=60)
            log.close()
            if drop is not None:
                drop()
    total = next(r for r in rows if r["name"] == "Aggregated")
    result = {"database": args.database, "workers": args.workers, "signals": "lexical",
              "arrival_rate_per_second": args.users, "seconds": seconds,
              "locust_exit_code": done.returncode, "errors": total["failures"],
              "endpoints": rows}
    sys.stdout.write(f"locust: {args.users} requests/s for {seconds} s against "
                     f"warmline serve ({args.database}, {args.workers} worker(s))\n")
    sys.stdout.write(f"{'endpoint':<42} {'requests':>8} {'errors':>6} {'req/s':>6} "
                     f"{'p50':>6} {'p90':>6} {'p95':>6} {'p99':>6} {'max':>6}  (ms)\n")
    for r in rows:
        sys.stdout.write(f"{r['name']:<42} {r['requests']:>8} {r['failures']:>6} "
                         f"{r['requests_per_second']:>6.1f} {r.get('p50_ms', 0):>6.0f} "
                         f"{r.get('p90_ms', 0):>6.0f} {r.get('p95_ms', 0):>6.0f} "
                         f"{r.get('p99_ms', 0):>6.0f} {r.get('p100_ms', 0):>6.0f}\n")
    if done.returncode not in (0, 1):  # 1: locust saw failures (counted above)
        sys.stderr.write(done.stderr[-3000:])
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
