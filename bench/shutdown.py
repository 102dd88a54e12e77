"""Seconds from Ctrl+C (SIGINT) to a `warmline serve` process gone, with event streams open.

A real server on a fresh SQLite file (lexical signals, the sweeper on as in production)
on a free port; for each count of open streams, `--streams` web chat streams and as many
console streams (a signed-in supervisor) are opened and read until the server closes
them, then SIGINT goes to the server. Printed per case, over `--runs` runs: the median
seconds until every stream was closed and until the process exited. Before
entrypoints/http/shutdown.py a web chat stream held the exit until its own end (25 s).

    .venv/bin/python bench/shutdown.py [--streams 3] [--workers 1] [--runs 3] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

BIN = Path(sys.executable).parent
PASSWORD = "bench-password-1"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _warmline(*args: str, env: dict[str, str], stdin: str = "") -> None:
    subprocess.run([str(BIN / "warmline"), *args], env=env, input=stdin, text=True,
                   check=True, capture_output=True)


def _webchat(base: str, opened: threading.Semaphore, closed: list[float]) -> None:
    with httpx.Client(base_url=base, timeout=120) as http:
        s = http.post("/webchat/sessions", json={}).json()
        with http.stream("GET", f"/webchat/sessions/{s['session_id']}/events",
                         params={"token": s["token"]}) as r:
            for line in r.iter_lines():
                if line.startswith("retry:"):
                    opened.release()
    closed.append(time.monotonic())


def _console(base: str, opened: threading.Semaphore, closed: list[float]) -> None:
    with httpx.Client(base_url=base, timeout=120) as http:
        http.post("/console/sign-in", data={"name": "sam", "password": PASSWORD})
        with http.stream("GET", "/console/events") as r:
            for line in r.iter_lines():
                if line.startswith("retry:"):
                    opened.release()
    closed.append(time.monotonic())


def one_stop(env: dict[str, str], streams: int, workers: int) -> tuple[float, float]:
    """(seconds until every stream was closed, seconds until the process exited)."""
    port = _port()
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen([str(BIN / "warmline"), "serve", "--workers", str(workers)],
                            env={**env, "WARMLINE_PORT": str(port)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("warmline serve did not start")
            time.sleep(0.1)
        opened, closed = threading.Semaphore(0), []
        readers = [threading.Thread(target=f, args=(base, opened, closed), daemon=True)
                   for f in (_webchat, _console) for _ in range(streams)]
        for t in readers:
            t.start()
        for _ in readers:
            if not opened.acquire(timeout=120):
                raise RuntimeError("a stream did not open")
        stopped = time.monotonic()
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=120)
        exited = time.monotonic() - stopped
        for t in readers:
            t.join(timeout=120)
        return (max(closed) - stopped if closed else 0.0), exited
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=3,
                        help="web chat streams (and as many console streams) to hold open")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="warmline-shutdown-"))
    env = {**os.environ, "WARMLINE_DATABASE_URL": f"sqlite:///{folder / 'w.db'}",
           "WARMLINE_SIGNALS": "lexical", "WARMLINE_RECORD": "none"}
    _warmline("db", "upgrade", env=env)
    _warmline("users", "add", "sam", "--role", "supervisor", "--password-stdin", env=env,
              stdin=PASSWORD + "\n")
    figures: dict[str, Any] = {"workers": args.workers, "runs": args.runs, "cases": {}}
    print(f"Ctrl+C to exit, `warmline serve --workers {args.workers}`, median of "
          f"{args.runs} runs")
    print(f"{'open streams':>14} {'streams closed (s)':>19} {'process gone (s)':>17}")
    for streams in (0, args.streams):
        runs = [one_stop(env, streams, args.workers) for _ in range(args.runs)]
        closed = statistics.median(r[0] for r in runs)
        exited = statistics.median(r[1] for r in runs)
        figures["cases"][str(2 * streams)] = {"streams_closed_s": round(closed, 2),
                                              "exited_s": round(exited, 2),
                                              "runs_exited_s": [round(r[1], 2) for r in runs]}
        print(f"{2 * streams:>14} {closed:>19.2f} {exited:>17.2f}")
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
