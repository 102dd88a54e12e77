"""An outbound channel down: replies stay in the outbox and are retried with backoff
until the channel comes back, then sent exactly once.

The WhatsApp Cloud API is played by FakeGraph (tests/fake_channels.py). It is first
unreachable (connection refused), then answers 503 pages, then Graph errors marked
transient (HTTP 500), and finally comes back. Each delivery attempt runs the client's
own quick retries (4 requests); between attempts the outbox waits 30 s, 60 s, 120 s...
(service/delivery.py). In production the sweeper calls `retry_due()` every few seconds
(service/sweeper.py); here the test calls it, moving the clock.
The console reads each step from GET /v1/conversations/{id}/outbox.
"""

from __future__ import annotations

import copy
import json
import socket
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.fake_channels import FakeGraph, Scripted, graph_error, serve
from tests.serve_process import ADMIN

from warmline.adapters.channels.whatsapp import signature_for
from warmline.adapters.signals.lexical import LexicalSignals
from warmline.bootstrap import Warmline, bootstrap
from warmline.config import Config
from warmline.entrypoints.http.app import create_app

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "channels" / "whatsapp"
SECRET, THREAD = "meta-app-secret", "wa-16505551234"


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


@pytest.fixture
def graph() -> Iterator[FakeGraph]:
    fake = FakeGraph()
    with serve(fake):
        yield fake


def _dead_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"  # closed again: connections refused


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
def wl(database_url: str, clock: Clock) -> Warmline:
    config = Config.from_env({
        "WARMLINE_DATABASE_URL": database_url, "WARMLINE_ADMIN_TOKEN": "test-admin-token",
        "WARMLINE_RECORD": "none",
        "WARMLINE_AGENT": "reference", "WARMLINE_SWEEP_SECONDS": "0",
        "WARMLINE_WHATSAPP_APP_SECRET": SECRET,
        "WARMLINE_WHATSAPP_ACCESS_TOKEN": "test-access-token",
        "WARMLINE_WHATSAPP_PHONE_NUMBER_ID": "106540352242922",
        "WARMLINE_WHATSAPP_API_URL": f"{_dead_url()}/v23.0"})
    app = bootstrap(config, signals=LexicalSignals(), clock=clock)
    app.channels["whatsapp"].sleep = lambda _: None  # type: ignore[attr-defined]
    return app


def _customer_writes(api: TestClient, message_id: str, text: str) -> None:
    body = json.loads((FIXTURES / "text.json").read_text())
    message = copy.deepcopy(body["entry"][0]["changes"][0]["value"]["messages"][0])
    message.update(id=message_id, timestamp=str(int(time.time())), text={"body": text})
    body["entry"][0]["changes"][0]["value"]["messages"] = [message]
    raw = json.dumps(body).encode()
    r = api.post("/webhooks/whatsapp", content=raw, headers={
        "content-type": "application/json", "x-hub-signature-256": signature_for(SECRET, raw)})
    assert r.status_code == 200 and r.json()["stored"] == 1  # stored whatever the channel


def _outbox(api: TestClient) -> dict[str, Any]:
    items = api.get(f"/v1/conversations/{THREAD}/outbox").json()["items"]
    assert len(items) == 1
    return dict(items[0])


def test_replies_wait_in_the_outbox_with_backoff_until_the_channel_is_back(
        wl: Warmline, graph: FakeGraph, clock: Clock) -> None:
    assert wl.dispatcher is not None
    client = wl.channels["whatsapp"]
    with TestClient(create_app(wl), headers=ADMIN) as api:
        _customer_writes(api, "wamid.down-1", "Hi, what is your return policy?")
        first = _outbox(api)  # connection refused
        assert (first["state"], first["attempts"]) == ("pending", 1)
        assert "could not reach" in first["last_error"]
        assert datetime.fromisoformat(first["next_attempt_at"]) == clock.at + timedelta(
            seconds=30)

        assert wl.dispatcher.retry_due() == 0  # not before its backoff has passed
        client.settings = replace(client.settings,  # type: ignore[attr-defined]
                                  api_url=f"{graph.url}/v23.0")
        graph.fail_next(*[Scripted(503, "<html>Service Unavailable</html>")] * 4)
        clock.at += timedelta(seconds=31)
        assert wl.dispatcher.retry_due() == 1
        second = _outbox(api)
        assert (second["state"], second["attempts"]) == ("pending", 2)
        assert datetime.fromisoformat(second["next_attempt_at"]) == clock.at + timedelta(
            seconds=60)  # backed off: twice the wait

        graph.fail_next(*[graph_error(2, "Service temporarily unavailable", 500)] * 4)
        clock.at += timedelta(seconds=61)
        assert wl.dispatcher.retry_due() == 1
        third = _outbox(api)
        assert (third["state"], third["attempts"]) == ("pending", 3)
        assert datetime.fromisoformat(third["next_attempt_at"]) == clock.at + timedelta(
            seconds=120)
        assert graph.sent == 0 and len(graph.requests) == 8

        clock.at += timedelta(seconds=121)  # the channel is back
        assert wl.dispatcher.retry_due() == 1
        done = _outbox(api)
        assert (done["state"], done["attempts"]) == ("sent", 4)
        assert done["provider_message_id"] == "wamid.FAKE000001"
        clock.at += timedelta(hours=1)
        assert wl.dispatcher.retry_due() == 0  # nothing owed any more
    assert graph.sent == 1  # the reply reached the customer exactly once
    last = graph.requests[-1]["json"]
    shown = last["text"]["body"] if last["type"] == "text" else last["interactive"]["body"]["text"]
    assert "return" in shown.lower()  # the bot's answer to the question asked
