"""The web chat across processes: a line posted through one worker is streamed by another.

Two Warmline app instances (as two `warmline serve` workers are) share one database: the
same SQLite file, and PostgreSQL. The customer posts through instance A; the event
stream and the polling feed are read through instance B, and the other way round. Then
the real thing: `warmline serve --workers 2` on one SQLite file, many sessions, every
request landing on whichever worker the kernel picks.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine

from warmline.adapters.channels.webchat import Sessions
from warmline.adapters.commerce.memory import MemoryCommerceRecord
from warmline.adapters.signals.lexical import LexicalSignals
from warmline.adapters.storage.engine import make_engine
from warmline.adapters.storage.feeds import SqlWebchatFeed
from warmline.adapters.storage.outbox import SqlOutbox
from warmline.adapters.storage.sql import SqlUnitOfWork
from warmline.bootstrap import Warmline, bootstrap
from warmline.config import Config
from warmline.entrypoints.channels.inbound import InboundSink
from warmline.entrypoints.channels.webchat import webchat_router

SECRET = "shared-webchat-secret"  # every worker signs and checks tokens alike


@contextmanager
def instance(url: str) -> Iterator[TestClient]:
    """One worker: its own engine (so its own connections), bus, dispatcher, outbox and
    feed on the shared database, as `warmline serve` builds them."""
    config = Config.from_env({"WARMLINE_DATABASE_URL": url, "WARMLINE_AGENT": "reference",
                              "WARMLINE_WEBCHAT_SECRET": SECRET})
    engine = make_engine(url)
    try:
        wl: Warmline = bootstrap(config, uow=lambda: SqlUnitOfWork(engine),
                                 outbox=SqlOutbox(engine), feed=SqlWebchatFeed(engine),
                                 record=MemoryCommerceRecord(), signals=LexicalSignals())
        assert wl.feed is not None
        app = FastAPI()
        app.include_router(webchat_router(
            InboundSink(wl.bus, wl.bus.deps.record), wl.feed,
            Sessions(SECRET), stream_seconds=1.0, poll_seconds=0.05))
        with TestClient(app) as client:
            yield client
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest) -> str:
    if request.param == "sqlite":
        url: str = request.getfixturevalue("sqlite_url")
        return url
    url = request.getfixturevalue("postgres_url")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("TRUNCATE events, inbound_messages, conversations, outbox, "
                             "webchat_feed, webchat_sessions")
    engine.dispose()
    return url


@pytest.fixture
def workers(database: str) -> Iterator[tuple[TestClient, TestClient]]:
    with instance(database) as a, instance(database) as b:
        yield a, b


def stream(client: TestClient, base: str, token: str, after: int = 0) -> list[dict[str, Any]]:
    with client.stream("GET", f"{base}/events?token={token}&after={after}") as response:
        assert response.status_code == 200
        text = "".join(response.iter_text())
    return [json.loads(line[6:]) for line in text.splitlines() if line.startswith("data: ")]


def test_a_message_posted_on_one_worker_is_streamed_by_the_other(
        workers: tuple[TestClient, TestClient]) -> None:
    a, b = workers
    opened = a.post("/webchat/sessions").json()
    base, token = f"/webchat/sessions/{opened['session_id']}", opened["token"]
    auth = {"authorization": f"Bearer {token}"}
    posted = a.post(f"{base}/messages", headers=auth,
                    json={"message_id": "w-1", "text": "What is your return policy?"})
    assert posted.status_code == 201
    seen = stream(b, base, token)
    assert [(i["seq"], i["role"]) for i in seen] == [(1, "customer"), (2, "brand")]
    assert seen[0]["text"] == "What is your return policy?"
    assert [btn["id"] for btn in seen[1]["buttons"]] == ["warmline:human"]  # the bot's answer

    b.post(f"{base}/buttons", headers=auth,  # and back: tapped on B, read on A
           json={"message_id": "w-2", "button_id": "warmline:human", "title": "Talk to a person"})
    later = a.get(f"{base}/messages?after=2", headers=auth).json()["items"]
    assert later[0]["role"] == "customer" and later[0]["text"] == "Talk to a person"
    assert later[1]["role"] == "brand" and "team" in later[1]["text"]  # the expectation
    assert [i["seq"] for i in stream(a, base, token, after=2)] == [3, 4]


def test_a_duplicate_posted_to_the_other_worker_is_shown_once(
        workers: tuple[TestClient, TestClient]) -> None:
    a, b = workers
    opened = b.post("/webchat/sessions").json()
    base = f"/webchat/sessions/{opened['session_id']}"
    auth = {"authorization": f"Bearer {opened['token']}"}
    body = {"message_id": "w-1", "text": "Where is my parcel?"}
    assert a.post(f"{base}/messages", headers=auth, json=body).status_code == 201
    assert b.post(f"{base}/messages", headers=auth, json=body).status_code == 200
    items = a.get(f"{base}/messages", headers=auth).json()["items"]
    assert [i["text"] for i in items if i["role"] == "customer"] == ["Where is my parcel?"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_warmline_serve_with_two_workers_shows_every_line_on_every_request(
        sqlite_url: str) -> None:
    port = _free_port()
    env = {**os.environ, "WARMLINE_DATABASE_URL": sqlite_url, "WARMLINE_RECORD": "none",
           "WARMLINE_SIGNALS": "lexical", "WARMLINE_AGENT": "reference",
           "WARMLINE_WEBCHAT_SECRET": SECRET, "WARMLINE_PORT": str(port),
           "WARMLINE_SWEEP_SECONDS": "0"}
    server = subprocess.Popen([Path(sys.executable).parent / "warmline", "serve",
                               "--workers", "2"], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None, server.stderr.read() if server.stderr else ""
            assert time.monotonic() < deadline, "warmline serve did not come up"
            time.sleep(0.3)
        for n in range(12):  # new connections: the kernel spreads them over both workers
            with httpx.Client(base_url=base, timeout=10) as c:
                opened = c.post("/webchat/sessions", json={}).json()
            path = f"/webchat/sessions/{opened['session_id']}"
            auth = {"authorization": f"Bearer {opened['token']}"}
            with httpx.Client(base_url=base, timeout=10) as c:
                assert c.post(f"{path}/messages", headers=auth, json={
                    "message_id": f"m-{n}", "text": "What is your return policy?"}
                ).status_code == 201
            with httpx.Client(base_url=base, timeout=10) as c:
                items = c.get(f"{path}/messages", headers=auth).json()["items"]
            assert [i["role"] for i in items] == ["customer", "brand"], n
    finally:
        server.terminate()
        server.wait(timeout=30)
