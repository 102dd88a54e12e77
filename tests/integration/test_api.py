"""The HTTP API over real SQLite: decisions, idempotency, clear 4xx, nothing stored."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from warmline.bootstrap import Warmline


def _events(app: Warmline, cid: str) -> int:
    with app.uow() as uow:
        return len(uow.conversations.load(cid))


def _msg(client: TestClient, cid: str, mid: str, text: str, **extra: Any) -> Any:
    return client.post(f"/v1/conversations/{cid}/messages",
                       json={"message_id": mid, "text": text, **extra})


def test_health_reports_ok_and_the_policy_version(client: TestClient) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json()["status"] == "ok"
    assert r.json()["policy_version"]


def test_a_customer_message_is_stored_and_judged(client: TestClient) -> None:
    r = _msg(client, "c1", "wa-1", "Can I speak to a real person please?")
    assert r.status_code == 201
    body = r.json()
    assert body["turn"] == 0 and body["duplicate"] is False
    decision = body["decision"]
    assert decision["escalate"] is True and decision["turn"] == 0
    [hit] = decision["triggers"]
    assert hit["kind"] == "human_request"
    ev = hit["evidence"][0]
    text = "Can I speak to a real person please?"
    assert text[ev["start"]:ev["end"]] == ev["quote"] and "person" in ev["quote"]


def test_a_retried_message_is_a_no_op(client: TestClient, warmline_app: Warmline) -> None:
    first = _msg(client, "c2", "wa-9", "Where is my order?")
    stored = _events(warmline_app, "c2")
    again = _msg(client, "c2", "wa-9", "Where is my order?")
    assert again.status_code == 200 and again.json()["duplicate"] is True
    assert again.json()["decision"] == first.json()["decision"]
    assert _events(warmline_app, "c2") == stored


def test_a_conversation_does_not_escalate_twice_until_handed_back(client: TestClient) -> None:
    assert _msg(client, "c3", "1", "get me a human").json()["decision"]["escalate"]
    again = _msg(client, "c3", "2", "HELLO?? I want a human NOW")
    assert again.json()["decision"]["escalate"] is False
    view = client.get("/v1/conversations/c3").json()
    assert view["mode"] == "waiting_for_human" and view["latest_decision"]["suppressed"]
    back = client.post("/v1/conversations/c3/hand-back", json={"by": "ana", "reason": "done"})
    assert back.status_code == 200
    assert _msg(client, "c3", "3", "actually, a person please").json()["decision"]["escalate"]


def test_agent_replies_carry_confidence_and_count_towards_low_confidence(
        client: TestClient) -> None:
    _msg(client, "c4", "1", "the thing for the other one")
    r1 = client.post("/v1/conversations/c4/agent-replies",
                     json={"text": "Which item do you mean?", "confidence": 0.2})
    assert r1.status_code == 201 and not r1.json()["decision"]["escalate"]
    _msg(client, "c4", "2", "the other one")
    r2 = client.post("/v1/conversations/c4/agent-replies",
                     json={"text": "Could you tell me the product name?", "confidence": 0.3})
    decision = r2.json()["decision"]
    assert decision["escalate"] and decision["turn"] == 3
    assert [t["kind"] for t in decision["triggers"]] == ["low_confidence"]


def test_the_one_tap_route_escalates_at_once(client: TestClient) -> None:
    _msg(client, "c5", "1", "hi")
    r = client.post("/v1/conversations/c5/handoff-requests", json={"source": "button"})
    assert r.status_code == 201
    d = r.json()["decision"]
    assert d["escalate"] and d["triggers"][0]["kind"] == "human_request"
    assert "button" in d["triggers"][0]["evidence"][0]["note"]


def test_reading_a_conversation_returns_events_state_and_latest_decision(
        client: TestClient) -> None:
    _msg(client, "c6", "1", "Do you ship to Spain?", channel="web", customer_ref="c-2051")
    view = client.get("/v1/conversations/c6").json()
    assert view["channel"] == "web" and view["customer_ref"] == "c-2051"
    assert [e["type"] for e in view["events"]] == ["ConversationStarted", "MessageReceived",
                                                   "DecisionMade"]
    assert view["latest_decision"]["policy_version"]
    assert client.get("/v1/conversations").json()["ids"] == ["c6"]


@pytest.mark.parametrize(("body", "field"), [
    ({"text": "hi"}, "body.message_id"),
    ({"message_id": "1", "text": ""}, "body.text"),
    ({"message_id": "1", "text": 42}, "body.text"),
    ({"message_id": "1", "text": "hi", "channel": "Not A Channel"}, "body.channel"),
    ({"message_id": "1", "text": "hi", "colour": "red"}, "body.colour"),
    ({"message_id": "1", "text": "x" * 4001}, "body.text"),
])
def test_a_bad_message_is_rejected_naming_the_field_and_nothing_is_stored(
        client: TestClient, warmline_app: Warmline, body: dict[str, Any], field: str) -> None:
    r = client.post("/v1/conversations/bad/messages", json=body)
    assert r.status_code == 422
    assert field in [f["field"] for f in r.json()["fields"]]
    assert field in r.json()["message"]
    assert _events(warmline_app, "bad") == 0


def test_a_bad_conversation_id_is_rejected(client: TestClient) -> None:
    r = _msg(client, "has space", "1", "hi")
    assert r.status_code == 422 and r.json()["fields"][0]["field"] == "path.conversation_id"


def test_non_json_and_oversized_bodies_are_refused(client: TestClient,
                                                   warmline_app: Warmline) -> None:
    r = client.post("/v1/conversations/c7/messages", content=b"message_id=1&text=hi",
                    headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 415
    r = client.post("/v1/conversations/c7/messages", content=b"{" + b" " * 70000 + b"}",
                    headers={"content-type": "application/json"})
    assert r.status_code == 413
    r = client.post("/v1/conversations/c7/messages", content=b"\xff\xfe{bad",
                    headers={"content-type": "application/json"})
    assert r.status_code == 422
    assert _events(warmline_app, "c7") == 0


def test_unknown_conversations_answer_404(client: TestClient) -> None:
    assert client.get("/v1/conversations/nope").status_code == 404
    r = client.post("/v1/conversations/nope/agent-replies", json={"text": "hello"})
    assert r.status_code == 404 and r.json()["error"] == "not_found"
    r = client.post("/v1/conversations/nope/hand-back", json={"by": "ana"})
    assert r.status_code == 404


def test_handing_back_a_conversation_the_bot_holds_is_a_conflict(client: TestClient) -> None:
    _msg(client, "c8", "1", "hello")
    r = client.post("/v1/conversations/c8/hand-back", json={"by": "ana"})
    assert r.status_code == 409


def test_the_openapi_schema_documents_every_operation(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert set(paths) >= {"/v1/conversations/{conversation_id}/messages",
                          "/v1/conversations/{conversation_id}/agent-replies",
                          "/v1/conversations/{conversation_id}/handoff-requests",
                          "/v1/conversations/{conversation_id}/hand-back",
                          "/v1/conversations/{conversation_id}", "/healthz"}


@pytest.mark.postgres
def test_a_retried_message_is_a_no_op_on_postgresql(pg_client: TestClient) -> None:
    first = _msg(pg_client, "pg1", "wa-1", "I want to cancel my order")
    again = _msg(pg_client, "pg1", "wa-1", "I want to cancel my order")
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["duplicate"] and again.json()["decision"] == first.json()["decision"]
    events = pg_client.get("/v1/conversations/pg1").json()["events"]
    assert [e["type"] for e in events].count("MessageReceived") == 1
