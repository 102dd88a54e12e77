"""Duplicate and out-of-order webhook deliveries (WhatsApp Cloud API payloads, signed).

Meta retries a delivery until it is answered 200 and does not promise order. Each
message is stored once, whatever arrives twice (alone or inside a batch), and each
stored message is judged once. The log keeps arrival order — decisions cite turns by
index and were made on what was known then — while each turn carries the channel's own
timestamp, is flagged `late` when it arrived after a message sent later, and the
conversation lists its turns in the order they were sent (`in_channel_order`).
"""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.serve_process import ADMIN, judged_once, stored

from warmline.adapters.channels.whatsapp import signature_for
from warmline.adapters.signals.lexical import LexicalSignals
from warmline.bootstrap import bootstrap
from warmline.config import Config
from warmline.entrypoints.http.app import create_app

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "channels" / "whatsapp"
SECRET, WA_ID = "meta-app-secret", "16505551234"
THREAD = f"wa-{WA_ID}"


@pytest.fixture
def api(database_url: str) -> Iterator[TestClient]:
    config = Config.from_env({
        "WARMLINE_DATABASE_URL": database_url, "WARMLINE_ADMIN_TOKEN": "test-admin-token",
        "WARMLINE_RECORD": "none",
        "WARMLINE_SIGNALS": "lexical", "WARMLINE_SWEEP_SECONDS": "0",
        "WARMLINE_WHATSAPP_APP_SECRET": SECRET,
        "WARMLINE_WHATSAPP_PHONE_NUMBER_ID": "106540352242922"})
    with TestClient(create_app(bootstrap(config, signals=LexicalSignals())),
                    headers=ADMIN) as client:
        yield client


def _message(message_id: str, text: str, sent: int) -> dict[str, Any]:
    body = json.loads((FIXTURES / "text.json").read_text())
    message = copy.deepcopy(body["entry"][0]["changes"][0]["value"]["messages"][0])
    message.update(id=message_id, timestamp=str(sent), text={"body": text})
    return message


def _deliver(api: TestClient, *messages: dict[str, Any]) -> dict[str, Any]:
    body = json.loads((FIXTURES / "text.json").read_text())
    body["entry"][0]["changes"][0]["value"]["messages"] = list(messages)
    raw = json.dumps(body).encode()
    r = api.post("/webhooks/whatsapp", content=raw, headers={
        "content-type": "application/json", "x-hub-signature-256": signature_for(SECRET, raw)})
    assert r.status_code == 200, r.text
    return dict(r.json())


def test_duplicate_and_out_of_order_deliveries_store_each_message_once_in_sent_order(
        api: TestClient, database_url: str) -> None:
    t0 = int(time.time()) - 60
    a = _message("wamid.A", "Hi, where is my order #10432?", t0)
    b = _message("wamid.B", "It was due on Monday", t0 + 5)
    c = _message("wamid.C", "I want to cancel it", t0 + 10)
    answers = [_deliver(api, c), _deliver(api, a), _deliver(api, c), _deliver(api, b),
               _deliver(api, a), _deliver(api, b, c, a)]  # the last: a whole batch again
    assert [(x["stored"], x["duplicates"]) for x in answers] == [
        (1, 0), (1, 0), (0, 1), (1, 0), (0, 1), (0, 3)]

    state = stored(database_url)
    assert sorted(m for m, _, _ in state["inbound"]) == ["wamid.A", "wamid.B", "wamid.C"]
    assert all(n == 1 for n in state["messages"].values()) and judged_once(state)

    view = api.get(f"/v1/conversations/{THREAD}").json()
    turns = view["turns"]
    assert [t["text"] for t in turns] == [c["text"]["body"], a["text"]["body"],
                                         b["text"]["body"]]  # arrival: what was judged when
    assert [turns[i]["text"] for i in view["in_channel_order"]] == [
        a["text"]["body"], b["text"]["body"], c["text"]["body"]]  # as the customer sent them
    assert [t["late"] for t in turns] == [False, True, True]
    sent = {m["text"]["body"]: int(m["timestamp"]) for m in (a, b, c)}
    assert all(datetime.fromisoformat(t["at"]) == datetime.fromtimestamp(sent[t["text"]], UTC)
               for t in turns)  # each turn keeps the channel's own timestamp
