"""`GET /metrics` over real SQLite: live seam figures, and no customer identity in labels."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient


def _post(client: TestClient, cid: str, mid: str, text: str, ref: str) -> None:
    r = client.post(f"/v1/conversations/{cid}/messages",
                    json={"message_id": mid, "text": text, "customer_ref": ref,
                          "channel": "webchat"})
    assert r.status_code == 201


def test_metrics_expose_handoffs_and_rates_in_prometheus_format(client: TestClient) -> None:
    _post(client, "conv-a", "m1", "Can I speak to a real person please?", "cust-a")
    _post(client, "conv-b", "m2", "Where is my order?", "cust-b")
    r = client.get("/metrics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    body = r.text
    assert "warmline_conversations 2.0" in body
    assert re.search(r'warmline_handoffs\{channel="webchat",lane="[^"]+",queue="[^"]+"\} 1\.0',
                     body)
    assert 'warmline_escalation_rate_by_channel_ratio{channel="webchat"} 0.5' in body
    assert 'warmline_escalation_rate_by_trigger_ratio{trigger="human_request"} 0.5' in body
    assert "warmline_handoffs_unanswered 1.0" in body


def test_no_customer_identity_reaches_a_metric_label(client: TestClient) -> None:
    secrets = ("conv-secret-7731", "cust-secret-4242", "Margot", "margot@example.com")
    _post(client, secrets[0], "m1",
          "I'm Margot (margot@example.com), I want a human NOW, this is awful", secrets[1])
    _post(client, secrets[0], "m3", "Margot again, still waiting for my refund", secrets[1])
    body = client.get("/metrics").text
    for secret in secrets:
        assert secret not in body
    labels = re.findall(r'\{([^}]*)\}', body)
    names = {pair.split("=")[0] for group in labels for pair in group.split(",") if pair}
    assert names <= {"queue", "lane", "channel", "trigger", "route", "reason", "quantile"}
