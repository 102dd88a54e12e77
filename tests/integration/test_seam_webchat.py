"""The whole seam in the web chat, through its HTTP API (the widget's calls).

What the widget shows is the session's feed, so every assertion on what the customer saw
reads the feed: the bot's answer, the expectation with the ETA, the person's reply, the
CSAT question with its buttons; the tap on a score is stored as CsatReceived.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.http_client import admin_client

from warmline.adapters.clock import FixedClock
from warmline.adapters.signals.lexical import LexicalSignals
from warmline.bootstrap import bootstrap, sql_uow_factory
from warmline.config import Config

OPEN = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)


@pytest.fixture
def api(sqlite_url: str) -> Iterator[TestClient]:
    config = Config.from_env({"WARMLINE_DATABASE_URL": sqlite_url, "WARMLINE_AGENT": "reference"})
    wl = bootstrap(config, uow=sql_uow_factory(sqlite_url), signals=LexicalSignals(),
                   clock=FixedClock(OPEN))
    with admin_client(wl) as c:
        yield c


class Chat:
    def __init__(self, api: TestClient) -> None:
        self.api = api
        opened = api.post("/webchat/sessions", json={}).json()
        self.sid, self.thread = opened["session_id"], opened["conversation_id"]
        self.auth = {"authorization": f"Bearer {opened['token']}"}
        self.n = 0

    def say(self, text: str) -> Any:
        self.n += 1
        return self.api.post(f"/webchat/sessions/{self.sid}/messages", headers=self.auth,
                             json={"message_id": f"m{self.n}", "text": text})

    def tap(self, button_id: str, title: str) -> Any:
        self.n += 1
        return self.api.post(f"/webchat/sessions/{self.sid}/buttons", headers=self.auth,
                             json={"message_id": f"m{self.n}", "button_id": button_id,
                                   "title": title})

    def feed(self) -> list[dict[str, Any]]:
        return list(self.api.get(f"/webchat/sessions/{self.sid}/messages",
                                 headers=self.auth).json()["items"])


def test_web_chat_seam_from_first_message_to_stored_csat(api: TestClient) -> None:
    api.put("/v1/agents/ana", json={"name": "Ana", "skills": ["retention"], "languages": ["en"]})
    api.put("/v1/agents/ana/presence", json={"presence": "online"})
    chat = Chat(api)
    assert chat.say("Hi, what is your return policy?").status_code == 201
    roles = [i["role"] for i in chat.feed()]
    assert roles == ["customer", "brand"]  # the customer's line first, then the answer

    assert chat.tap("warmline:human", "Talk to a person").status_code == 201  # one tap
    expectation = chat.feed()[-1]["text"]
    assert "team" in expectation and "min" in expectation

    handoff = api.get(f"/v1/conversations/{chat.thread}/handoff").json()
    if handoff["state"] == "queued":
        api.post("/v1/agents/ana/claims", json={})
    api.post(f"/v1/handoffs/{handoff['id']}/confirm", json={"agent_id": "ana"})
    draft = api.get(f"/v1/conversations/{chat.thread}/human-reply-draft").json()["text"]
    api.post(f"/v1/conversations/{chat.thread}/human-replies",
             json={"text": draft, "author": "ana"})
    assert chat.feed()[-1]["text"] == draft

    api.post(f"/v1/handoffs/{handoff['id']}/resolve", json={"by": "ana"})
    question = chat.feed()[-1]
    assert [b["id"] for b in question["buttons"]] == ["csat:5", "csat:3", "csat:1"]
    assert chat.tap("csat:5", "Great").status_code == 201
    events = api.get(f"/v1/conversations/{chat.thread}").json()["events"]
    assert [e["score"] for e in events if e["type"] == "CsatReceived"] == [5]
    assert chat.feed()[-1]["text"] == "Thank you for telling us."


def test_the_policy_keyword_is_the_one_tap_route_on_the_web_chat(api: TestClient) -> None:
    chat = Chat(api)
    assert chat.say("Agent").status_code == 201
    events = api.get(f"/v1/conversations/{chat.thread}").json()["events"]
    assert [e["source"] for e in events if e["type"] == "HandoffRequested"] == ["keyword"]
    assert "team" in chat.feed()[-1]["text"]  # the expectation follows at once
