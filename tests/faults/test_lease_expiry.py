"""Lease expiry on a claimed handoff, over HTTP: a person claims and never confirms (their
browser died); once the lease runs out the sweep puts the handoff back in its queue, a
confirmation that comes too late is refused, and someone else takes it.

Covered elsewhere, and not repeated here: the storage contract on SQLite and PostgreSQL
(tests/contract/test_handoff_repository.py, a lease not confirmed in time returns the
handoff to the queue), the pure rule (tests/unit/test_queueing.py), the service with
auto-offer (tests/integration/test_routing_service.py, an offer not confirmed in time goes
back and then to someone else) and a claim worker SIGKILLed while holding 50 leases
(tests/integration/test_claims_concurrency.py, on PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.serve_process import ADMIN

from warmline.adapters.signals.lexical import LexicalSignals
from warmline.bootstrap import bootstrap
from warmline.config import Config
from warmline.entrypoints.http.app import create_app

OPEN = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # a Wednesday morning: every team works


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        self.at += timedelta(milliseconds=1)
        return self.at


@pytest.fixture
def clock() -> Clock:
    return Clock(OPEN)


@pytest.fixture
def api(database_url: str, tmp_path: Path, clock: Clock) -> Iterator[TestClient]:
    policy = tmp_path / "policy.yaml"
    policy.write_text("version: lease-test\nrouting:\n  offer_seconds: 30\n"
                      "  auto_offer: false\n", encoding="utf-8")
    config = Config.from_env({"WARMLINE_DATABASE_URL": database_url, "WARMLINE_RECORD": "none",
                              "WARMLINE_ADMIN_TOKEN": "test-admin-token",
                              "WARMLINE_SIGNALS": "lexical", "WARMLINE_SWEEP_SECONDS": "0",
                              "WARMLINE_POLICY": str(policy)})
    with TestClient(create_app(bootstrap(config, signals=LexicalSignals(), clock=clock)),
                    headers=ADMIN) as client:
        yield client


def test_an_unconfirmed_claim_returns_to_the_queue_when_its_lease_runs_out(
        api: TestClient, clock: Clock) -> None:
    r = api.post("/v1/conversations/lease-1/messages", json={
        "message_id": "m1", "text": "I want to cancel, this is the THIRD time it broke!!"})
    assert r.json()["decision"]["escalate"]
    for person in ("ana", "bo"):
        assert api.put(f"/v1/agents/{person}", json={
            "skills": ["retention", "billing", "general"], "capacity": 5}).status_code == 200
        assert api.put(f"/v1/agents/{person}/presence",
                       json={"presence": "online"}).status_code == 200
    claimed = api.post("/v1/agents/ana/claims", json={})
    assert claimed.status_code == 201 and claimed.json()["agent_id"] == "ana"
    handoff = claimed.json()["id"]
    assert api.post("/v1/agents/bo/claims", json={}).status_code == 204  # ana holds it

    clock.at += timedelta(seconds=20)  # still leased: the sweep leaves it alone
    assert api.post("/v1/routing/sweep").json()["expired"] == 0
    assert api.get(f"/v1/handoffs/{handoff}").json()["agent_id"] == "ana"

    clock.at += timedelta(seconds=15)  # 35 s: the 30 s lease has run out
    assert api.post("/v1/routing/sweep").json()["expired"] == 1
    back = api.get(f"/v1/handoffs/{handoff}").json()
    assert back["state"] == "queued" and back["agent_id"] is None
    late = api.post(f"/v1/handoffs/{handoff}/confirm", json={"agent_id": "ana"})
    assert late.status_code == 409
    taken = api.post("/v1/agents/bo/claims", json={})
    assert taken.status_code == 201 and taken.json()["id"] == handoff
    assert api.post(f"/v1/handoffs/{handoff}/confirm",
                    json={"agent_id": "bo"}).json()["state"] == "assigned"
