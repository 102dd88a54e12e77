"""The API shows the judge's assessment of a customer turn: topics, route, scope."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_the_latest_decision_carries_topics_and_route_read_by_the_model(
        client: TestClient) -> None:
    sent = client.post("/v1/conversations/as-1/messages",
                       json={"message_id": "m1", "text": "I want to cancel my subscription"})
    assert sent.status_code < 300, sent.text
    view = client.get("/v1/conversations/as-1").json()
    assessment = view["latest_decision"]["assessment"]
    assert assessment["source"] == "model"  # semantic signals are the default
    assert "cancellation" in assessment["topics"]
    assert assessment["route"] == "retention"
    assert 0.0 <= assessment["scores"]["cancellation"] <= 1.0
    assert assessment["scope"] is None  # no agent knowledge configured
    stored = [e for e in view["events"] if e["type"] == "DecisionMade"]
    assert stored[-1]["assessment"] == assessment
