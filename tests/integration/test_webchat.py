"""The web chat's server side on the real service over real SQLite: sessions, messages,
the one-tap button, the live feed (polling and server-sent events), CORS, the widget."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from importlib import resources
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from warmline.adapters.channels.webchat import Sessions, WebchatChannel
from warmline.adapters.commerce.memory import MemoryCommerceRecord
from warmline.adapters.signals.lexical import LexicalSignals
from warmline.adapters.storage.feeds import MemoryWebchatFeed
from warmline.bootstrap import Warmline, bootstrap, sql_uow_factory
from warmline.config import Config
from warmline.domain.seam.channels import (
    HANDOFF_BUTTON_ID,
    Address,
    Button,
    PermanentSendError,
)
from warmline.entrypoints.channels.inbound import InboundSink
from warmline.entrypoints.channels.webchat import webchat_router
from warmline.ports import WebchatFeed
from warmline.service.views.conversations import conversation_view

SHOP = "https://shop.example"


@pytest.fixture
def wl(sqlite_url: str) -> Warmline:
    config = Config.from_env({"WARMLINE_DATABASE_URL": sqlite_url})
    return bootstrap(config, uow=sql_uow_factory(sqlite_url), record=MemoryCommerceRecord(),
                     signals=LexicalSignals())


@pytest.fixture
def feed() -> WebchatFeed:
    return MemoryWebchatFeed()


@pytest.fixture
def http(wl: Warmline, feed: WebchatFeed) -> Iterator[TestClient]:
    app = FastAPI()
    app.include_router(webchat_router(InboundSink(wl.bus), feed, Sessions("test-secret"),
                                      origins=[SHOP], stream_seconds=0.5, poll_seconds=0.05))
    with TestClient(app) as c:
        yield c


def start(http: TestClient) -> dict[str, Any]:
    response = http.post("/webchat/sessions")
    assert response.status_code == 201
    session: dict[str, Any] = response.json()
    session["auth"] = {"authorization": f"Bearer {session['token']}"}
    session["base"] = f"/webchat/sessions/{session['session_id']}"
    return session


def test_a_new_session_is_a_new_thread_with_its_own_token(http: TestClient) -> None:
    a, b = start(http), start(http)
    assert a["session_id"] != b["session_id"] and a["token"] != b["token"]
    assert a["conversation_id"] == f"web-{a['session_id']}"


def test_a_message_is_stored_then_shown_in_the_feed(http: TestClient, wl: Warmline) -> None:
    s = start(http)
    response = http.post(f"{s['base']}/messages", headers=s["auth"],
                         json={"message_id": "w-1", "text": "Where is my parcel?"})
    assert response.status_code == 201 and response.json()["duplicate"] is False
    conv = conversation_view(wl.uow(), s["conversation_id"])
    assert conv is not None and conv["channel"] == "webchat"
    assert conv["turns"][0]["text"] == "Where is my parcel?"
    items = http.get(f"{s['base']}/messages", headers=s["auth"]).json()["items"]
    assert [(i["role"], i["text"], i["id"]) for i in items] == [
        ("customer", "Where is my parcel?", "w-1")]


def test_a_resent_message_is_a_duplicate_and_shown_once(http: TestClient) -> None:
    s = start(http)
    body = {"message_id": "w-1", "text": "Hello"}
    http.post(f"{s['base']}/messages", headers=s["auth"], json=body)
    again = http.post(f"{s['base']}/messages", headers=s["auth"], json=body)
    assert again.status_code == 200 and again.json()["duplicate"] is True
    assert len(http.get(f"{s['base']}/messages", headers=s["auth"]).json()["items"]) == 1


def test_the_talk_to_a_person_button_escalates_at_once(http: TestClient, wl: Warmline) -> None:
    s = start(http)
    response = http.post(f"{s['base']}/buttons", headers=s["auth"], json={
        "message_id": "w-2", "button_id": HANDOFF_BUTTON_ID, "title": "Talk to a person"})
    assert response.status_code == 201
    conv = conversation_view(wl.uow(), s["conversation_id"])
    assert conv is not None and conv["escalated"] is True
    assert conv["escalation"]["triggers"][0]["kind"] == "human_request"


@pytest.mark.parametrize("auth", [{}, {"authorization": "Bearer forged"}])
def test_another_visitors_thread_cannot_be_read_or_written(
        http: TestClient, auth: dict[str, str]) -> None:
    s = start(http)
    assert http.get(f"{s['base']}/messages", headers=auth).status_code == 401
    post = http.post(f"{s['base']}/messages", headers=auth,
                     json={"message_id": "w-9", "text": "hi"})
    assert post.status_code == 401


def test_an_invalid_body_is_refused_and_nothing_is_stored(http: TestClient, wl: Warmline) -> None:
    s = start(http)
    for body in ({"message_id": "w-1"}, {"message_id": "bad id!", "text": "x"},
                 {"message_id": "w-1", "text": ""}, {"message_id": "w-1", "text": "x", "a": 1}):
        assert http.post(f"{s['base']}/messages", headers=s["auth"], json=body
                         ).status_code == 422
    assert conversation_view(wl.uow(), s["conversation_id"]) is None


def test_brand_messages_and_buttons_sent_through_the_channel_reach_the_feed_once(
        http: TestClient, feed: WebchatFeed) -> None:
    s = start(http)
    channel = WebchatChannel(feed)
    to = Address("webchat", s["session_id"])
    buttons = [Button(HANDOFF_BUTTON_ID, "Talk to a person")]
    first = channel.send_buttons(to, "Anything else?", buttons, key="reply-1")
    assert channel.send_buttons(to, "Anything else?", [], key="reply-1") == first
    channel.post(to, "Hi, Ana here. I have your order in front of me.", key="h-1", author="Ana")
    items = http.get(f"{s['base']}/messages?after=0", headers=s["auth"]).json()["items"]
    assert [(i["role"], i["author"]) for i in items] == [("brand", None), ("brand", "Ana")]
    assert items[0]["buttons"] == [{"id": HANDOFF_BUTTON_ID, "title": "Talk to a person"}]
    later = http.get(f"{s['base']}/messages?after={items[0]['seq']}", headers=s["auth"])
    assert [i["text"] for i in later.json()["items"]] == [
        "Hi, Ana here. I have your order in front of me."]


def test_sending_to_an_unknown_session_is_a_permanent_failure(feed: WebchatFeed) -> None:
    with pytest.raises(PermanentSendError):
        WebchatChannel(feed).send_text(Address("webchat", "0" * 24), "hi", key="k")


def test_the_event_stream_delivers_new_items_with_their_ids(
        http: TestClient, feed: WebchatFeed) -> None:
    s = start(http)
    WebchatChannel(feed).send_text(Address("webchat", s["session_id"]), "One moment", key="k1")
    url = f"{s['base']}/events?after=0&token={s['token']}"
    with http.stream("GET", url) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        text = "".join(response.iter_text())
    assert text.startswith("retry: 1000")
    [event] = [block for block in text.split("\n\n") if block.startswith("id: ")]
    lines = dict(line.split(": ", 1) for line in event.splitlines())
    assert lines["id"] == "1" and lines["event"] == "message"
    assert json.loads(lines["data"])["text"] == "One moment"


def test_the_event_stream_resumes_after_last_event_id(http: TestClient, feed: WebchatFeed) -> None:
    s = start(http)
    channel, to = WebchatChannel(feed), Address("webchat", s["session_id"])
    channel.send_text(to, "first", key="k1")
    channel.send_text(to, "second", key="k2")
    with http.stream("GET", f"{s['base']}/events?token={s['token']}",
                     headers={"last-event-id": "1"}) as response:
        text = "".join(response.iter_text())
    assert "second" in text and "first" not in text


def test_the_event_stream_needs_the_sessions_token(http: TestClient) -> None:
    s = start(http)
    assert http.get(f"{s['base']}/events?token=forged").status_code == 401


def test_the_shops_origin_may_call_cross_origin_and_others_may_not(http: TestClient) -> None:
    allowed = http.options("/webchat/sessions", headers={
        "origin": SHOP, "access-control-request-method": "POST"})
    assert allowed.status_code == 204
    assert allowed.headers["access-control-allow-origin"] == SHOP
    assert "authorization" in allowed.headers["access-control-allow-headers"]
    created = http.post("/webchat/sessions", headers={"origin": SHOP})
    assert created.headers["access-control-allow-origin"] == SHOP
    other = http.options("/webchat/sessions", headers={"origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers


def test_the_widget_is_served_as_javascript_with_its_accessible_parts(http: TestClient) -> None:
    response = http.get("/webchat/widget.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    script = response.text
    for part in ('"Talk to a person"', '"aria-live": "polite"', 'role: "log"',
                 '"for": "wl-input"', '"aria-expanded"', "Escape", "EventSource",
                 "warmline:human", "textContent"):
        assert part in script, part
    assert "innerHTML" not in script  # every text is set as text: no markup injection
    demo = http.get("/webchat/demo")
    assert demo.status_code == 200 and 'src="widget.js"' in demo.text


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_widget_script_parses() -> None:
    path = resources.files("warmline.entrypoints.channels").joinpath("static", "webchat.js")
    result = subprocess.run(["node", "--check", str(path)], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stderr
