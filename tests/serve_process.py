"""A real `warmline serve` process for the fault tests (and its database helpers)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from warmline.adapters.storage.engine import make_engine
from warmline.adapters.storage.schema import events, inbound_messages

ADMIN = {"Authorization": "Bearer test-admin-token"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """`warmline serve --workers N` on a free port, lexical signals, no sweeper."""

    def __init__(self, url: str, workers: int = 2, env: Mapping[str, str] | None = None,
                 log: Path | None = None) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "WARMLINE_DATABASE_URL": url, "WARMLINE_RECORD": "none",
                    "WARMLINE_SIGNALS": "lexical", "WARMLINE_SWEEP_SECONDS": "0",
                    "WARMLINE_PORT": str(self.port),
                    "WARMLINE_ADMIN_TOKEN": "test-admin-token", **(env or {})}
        self.workers = workers
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        out = self.log.open("wb") if self.log else subprocess.DEVNULL
        self.proc = subprocess.Popen(
            [str(Path(sys.executable).parent / "warmline"), "serve", "--workers",
             str(self.workers)], env=self.env, stdout=out, stderr=subprocess.STDOUT)
        self.wait_healthy()
        return self

    def wait_healthy(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        with httpx.Client(base_url=self.base, timeout=5, headers=ADMIN) as http:
            while time.monotonic() < deadline:
                assert self.proc is not None and self.proc.poll() is None, "serve exited"
                try:
                    if http.get("/healthz").status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                time.sleep(0.1)
        raise TimeoutError("warmline serve did not become healthy")

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def post_message(http: httpx.Client, conversation: str, message_id: str,
                 text: str) -> httpx.Response:
    return http.post(f"/v1/conversations/{conversation}/messages",
                     json={"message_id": message_id, "text": text})


def stored(url: str) -> dict[str, Any]:
    """What the database holds: inbound ids, and per conversation its messages and
    decisions, read straight from the tables."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            inbound = [(r.message_id, r.conversation_id, r.turn) for r in conn.execute(
                select(inbound_messages.c.message_id, inbound_messages.c.conversation_id,
                       inbound_messages.c.turn))]
            rows = conn.execute(select(events.c.conversation_id, events.c.type,
                                       events.c.payload).order_by(events.c.conversation_id,
                                                                  events.c.seq)).all()
    finally:
        engine.dispose()
    messages = Counter(r.payload["message_id"] for r in rows if r.type == "MessageReceived")
    decisions = Counter((r.conversation_id, r.payload["turn"]) for r in rows
                        if r.type == "DecisionMade")
    return {"inbound": inbound, "messages": messages, "decisions": decisions}


def judged_once(state: dict[str, Any]) -> bool:
    """Every stored inbound message has exactly one decision on its turn, and was stored
    as exactly one MessageReceived."""
    return all(state["decisions"][(cid, turn)] == 1 and state["messages"][mid] == 1
               for mid, cid, turn in state["inbound"])
