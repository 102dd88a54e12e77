"""Several `warmline serve` worker processes against one PostgreSQL database.

Claims arrive over HTTP from four people at once, served by two uvicorn worker
processes (each with its own sweeper running every second): every handoff is claimed
exactly once, and a LISTEN subscriber hears every claim, whichever process made it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest
from tests.claim_worker import queue_handoffs
from tests.http_client import ADMIN, ADMIN_TOKEN

from warmline.adapters.notify import PostgresNotifier
from warmline.adapters.storage.engine import make_engine
from warmline.ports import Notice

pytestmark = pytest.mark.postgres


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_two_serve_workers_share_one_queue_without_double_claims(
        postgres_url: str, tmp_path: Path) -> None:
    engine = make_engine(postgres_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("TRUNCATE handoffs, agents")
    policy = tmp_path / "policy.yaml"
    policy.write_text("version: serve-test\nrouting:\n  offer_seconds: 600\n"
                      "  auto_offer: false\n", encoding="utf-8")
    port = _free_port()
    env = {**os.environ, "WARMLINE_DATABASE_URL": postgres_url, "WARMLINE_RECORD": "none",
           "WARMLINE_SIGNALS": "lexical", "WARMLINE_POLICY": str(policy),
           "WARMLINE_SWEEP_SECONDS": "1", "WARMLINE_PORT": str(port),
           "WARMLINE_ADMIN_TOKEN": ADMIN_TOKEN}
    server = subprocess.Popen([Path(sys.executable).parent / "warmline", "serve",
                               "--workers", "2"], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
    heard: list[Notice] = []
    listening = PostgresNotifier(postgres_url).subscribe()
    stop = threading.Event()

    def listen() -> None:
        while not stop.is_set():
            n = listening.get(timeout=0.2)
            if n is not None:
                heard.append(n)

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=30, headers=ADMIN) as http:
            for _ in range(300):
                try:
                    if http.get("/healthz").status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
            people = ["ana", "bo", "cy", "dee"]
            for p in people:
                assert http.put(f"/v1/agents/{p}", json={
                    "skills": ["retention", "billing"], "capacity": 50}).status_code == 200
                assert http.put(f"/v1/agents/{p}/presence",
                                json={"presence": "online"}).status_code == 200
        queued = queue_handoffs(engine, 150, prefix="s")
        claimed: dict[str, list[str]] = {}

        def claim_all(person: str) -> None:
            mine = claimed.setdefault(person, [])
            with httpx.Client(base_url=base, timeout=30, headers=ADMIN) as http:
                while (r := http.post(f"/v1/agents/{person}/claims", json={})).status_code \
                        == 201:
                    mine.append(r.json()["id"])
                assert r.status_code in (204, 409), r.text  # none left, or at capacity

        threads = [threading.Thread(target=claim_all, args=(p,)) for p in people]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        for _ in range(50):  # the last notices may still be on their way
            if len({n.handoff_id for n in heard if n.kind == "claimed"} & set(queued)) >= 150:
                break
            time.sleep(0.1)
    finally:
        stop.set()
        listener.join(timeout=5)
        listening.close()
        server.terminate()
        server.wait(timeout=20)
        engine.dispose()
    every = [hid for ids in claimed.values() for hid in ids]
    assert sorted(every) == sorted(queued), "each claimed once, none lost"
    assert max(Counter(every).values()) == 1
    # the channel is per database: other suites on the same server may notify too
    assert {n.handoff_id for n in heard if n.kind == "claimed"} >= set(queued)
