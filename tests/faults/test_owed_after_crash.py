"""A reply owed to the customer survives a crash between the commit and its delivery.

The message bus commits a command, then hands what it owes the customer to delivery
(service/messagebus.py); the storage wrote the owed message's outbox row in the same
transaction as its event. Here `warmline serve` is killed (SIGKILL) right after the commit
of a WhatsApp message that escalates — before anything was sent. WhatsApp then retries
the webhook (a duplicate: nothing new is stored, nothing new is owed). After a restart
the sweeper finds the pending rows and sends each owed message exactly once.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from tests.fake_channels import FakeGraph, serve
from tests.serve_process import Server

from warmline.adapters.channels.whatsapp import signature_for
from warmline.adapters.storage.engine import make_engine
from warmline.adapters.storage.schema import outbox

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "channels" / "whatsapp"
SECRET, THREAD = "meta-app-secret", "wa-16505551234"


@pytest.fixture
def graph() -> Iterator[FakeGraph]:
    fake = FakeGraph()
    with serve(fake):
        yield fake


def _webhook(message_id: str, text: str) -> bytes:
    body = json.loads((FIXTURES / "text.json").read_text())
    message = body["entry"][0]["changes"][0]["value"]["messages"][0]
    message.update(id=message_id, timestamp=str(int(time.time())), text={"body": text})
    return json.dumps(body).encode()


def _post(base: str, raw: bytes, timeout: float = 30) -> httpx.Response:
    return httpx.post(f"{base}/webhooks/whatsapp", content=raw, timeout=timeout, headers={
        "content-type": "application/json", "x-hub-signature-256": signature_for(SECRET, raw)})


def _rows(url: str) -> list[tuple[str, str]]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return [(r.key, r.state) for r in conn.execute(
                select(outbox.c.key, outbox.c.state)
                .where(outbox.c.conversation_id == THREAD).order_by(outbox.c.key))]
    finally:
        engine.dispose()


def test_a_reply_owed_when_the_process_dies_after_the_commit_is_sent_once_after_restart(
        database_url: str, graph: FakeGraph, tmp_path: Path) -> None:
    whatsapp = {"WARMLINE_WHATSAPP_APP_SECRET": SECRET,
                "WARMLINE_WHATSAPP_ACCESS_TOKEN": "test-access-token",
                "WARMLINE_WHATSAPP_PHONE_NUMBER_ID": "106540352242922",
                "WARMLINE_WHATSAPP_API_URL": f"{graph.url}/v23.0"}
    marker = tmp_path / "paused"
    raw = _webhook("wamid.crash-1", "I want to cancel my order #10432")
    paused = {**whatsapp, "WARMLINE_FAULT_PAUSE": "after_commit:60",
              "WARMLINE_FAULT_MARKER": str(marker)}
    with Server(database_url, workers=1, env=paused, log=tmp_path / "first.log") as server:
        answer: list[object] = []
        client = threading.Thread(target=lambda: answer.append(_try(server.base, raw)))
        client.start()
        for _ in range(600):
            if marker.exists() and marker.read_text():
                break
            time.sleep(0.05)
        os.kill(int(marker.read_text()), signal.SIGKILL)  # committed, nothing sent yet
        client.join(timeout=60)
        assert isinstance(answer[0], httpx.HTTPError), "a dead process acknowledged nothing"
    owed = _rows(database_url)
    assert owed and {state for _, state in owed} == {"pending"}  # rows committed with events
    assert graph.sent == 0

    swept = {**whatsapp, "WARMLINE_SWEEP_SECONDS": "0.2"}
    with Server(database_url, workers=1, env=swept, log=tmp_path / "second.log") as server:
        retried = _post(server.base, raw)  # Meta retries the webhook it got no answer for
        assert retried.status_code == 200 and retried.json()["duplicates"] == 1
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and {s for _, s in _rows(database_url)} != {"sent"}:
            time.sleep(0.1)
        time.sleep(1.0)  # several more sweeps: nothing is sent twice
    assert [s for _, s in _rows(database_url)] == ["sent"] * len(owed)
    sends = [r for r in graph.requests if r["path"].endswith("/messages")]
    assert graph.sent == len(owed) == len(sends)  # each owed message exactly once


def _try(base: str, raw: bytes) -> object:
    try:
        return _post(base, raw, timeout=90)
    except httpx.HTTPError as exc:
        return exc
