"""The routing API over HTTP (in-process), on SQLite and PostgreSQL: strict bodies, errors
that name the field, and a handoff's life from escalation to resolution."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.http_client import admin_client

from warmline.adapters.commerce.memory import MemoryCommerceRecord
from warmline.adapters.signals.lexical import LexicalSignals
from warmline.adapters.storage.engine import make_engine
from warmline.adapters.storage.migrate import upgrade
from warmline.bootstrap import bootstrap
from warmline.config import Config

OPEN = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # a Wednesday, 10:00 in Berlin
ANGRY = "I want to cancel, this is the THIRD time it broke!!"


class Ticking:
    """A clock that moves a millisecond each time it is read: order without waiting."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        self.at += timedelta(milliseconds=1)
        return self.at


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def api(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TestClient]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'api.db'}"
        upgrade(url)
    else:
        url = request.getfixturevalue("postgres_url")
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.exec_driver_sql("TRUNCATE events, inbound_messages, conversations, "
                                 "handoffs, agents")
        engine.dispose()
    config = Config.from_env({"WARMLINE_DATABASE_URL": url, "WARMLINE_SWEEP_SECONDS": "0",
                              "WARMLINE_RECORD": "none", "WARMLINE_SIGNALS": "lexical"})
    wl = bootstrap(config, signals=LexicalSignals(), record=MemoryCommerceRecord(),
                   clock=Ticking(OPEN))
    with admin_client(wl) as client:
        yield client


def escalate(api: TestClient, cid: str) -> dict[str, Any]:
    r = api.post(f"/v1/conversations/{cid}/messages", json={"message_id": cid, "text": ANGRY})
    assert r.status_code == 201 and r.json()["decision"]["escalate"]
    handoff = api.get(f"/v1/conversations/{cid}/handoff")
    assert handoff.status_code == 200
    return dict(handoff.json())


def hire(api: TestClient, aid: str, online: bool = True, **profile: Any) -> dict[str, Any]:
    body = {"name": aid.title(), "skills": ["retention"], "languages": ["en"], **profile}
    r = api.put(f"/v1/agents/{aid}", json=body)
    assert r.status_code == 200, r.text
    if online:
        r = api.put(f"/v1/agents/{aid}/presence", json={"presence": "online"})
        assert r.status_code == 200, r.text
    return dict(r.json())


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/v1/agents/ana", {"capacity": 0}, "body.capacity"),
    ("/v1/agents/ana", {"languages": ["English"]}, "body.languages.0"),
    ("/v1/agents/ana", {"skills": ["retention"], "shift": "early"}, "body.shift"),
    ("/v1/agents/ana/presence", {"presence": "busy"}, "body.presence"),
    ("/v1/agents/a%20b", {}, "path.agent_id"),
])
def test_bad_agent_bodies_are_rejected_naming_the_field(api: TestClient, path: str,
                                                        body: dict[str, Any],
                                                        field: str) -> None:
    r = api.put(path, json=body)
    assert r.status_code == 422
    assert field in [f["field"] for f in r.json()["fields"]]


def test_people_show_presence_load_and_the_queues_they_may_take_from(
        api: TestClient) -> None:
    ana = hire(api, "ana", skills=["retention", "senior"], languages=["en", "de"], capacity=3)
    assert (ana["presence"], ana["load"], ana["capacity"]) == ("online", 0, 3)
    assert ana["queues"] == ["priority", "retention", "general"]
    hire(api, "bo", online=False)
    people = {a["id"]: a for a in api.get("/v1/agents").json()}
    assert people["bo"]["presence"] == "offline"


def test_queues_report_live_figures_an_eta_and_which_one_is_the_fallback(
        api: TestClient) -> None:
    hire(api, "ana", capacity=1)
    escalate(api, "c1")  # offered to ana: her one slot is busy
    escalate(api, "c2")
    queues = {q["name"]: q for q in api.get("/v1/queues").json()}
    assert [n for n, q in queues.items() if q["fallback"]] == ["general"]
    r = queues["retention"]
    assert (r["waiting"], r["offered"], r["agents_online"], r["capacity"], r["busy"]) == (
        1, 1, 1, 1, 1)
    assert r["open_now"] and r["eta_seconds"] == 840  # c2, then a newcomer: 2 × 7 min
    detail = api.get("/v1/queues/retention").json()
    assert [h["conversation_id"] for h in detail["handoffs"]] == ["c1", "c2"]
    assert detail["handoffs"][1]["position"] == 1 and detail["handoffs"][1]["eta_minutes"] == 7
    missing = api.get("/v1/queues/nowhere")
    assert missing.status_code == 404 and "known:" in missing.json()["message"]


def test_a_handoffs_life_over_http(api: TestClient) -> None:
    hire(api, "ana")
    first = escalate(api, "c1")
    assert (first["state"], first["agent_id"], first["agent_name"]) == ("claimed", "ana",
                                                                        "Ana")
    ok = api.post(f"/v1/handoffs/{first['id']}/confirm", json={"agent_id": "ana"})
    assert ok.status_code == 200 and ok.json()["state"] == "assigned"
    bad = api.post(f"/v1/handoffs/{first['id']}/transfer",
                   json={"by": "ana", "reason": "refund", "to_queue": "bilings"})
    assert bad.status_code == 422 and bad.json()["fields"][0]["field"] == "body.to_queue"
    moved = api.post(f"/v1/handoffs/{first['id']}/transfer",
                     json={"by": "ana", "reason": "refund rights", "to_queue": "billing"})
    assert moved.status_code == 200 and moved.json()["queue"] == "billing"
    hire(api, "bo", skills=["billing"])  # coming online, bo is offered what waits
    mine = api.get(f"/v1/handoffs/{first['id']}").json()
    assert (mine["state"], mine["agent_id"]) == ("claimed", "bo")
    api.post(f"/v1/handoffs/{first['id']}/confirm", json={"agent_id": "bo"})
    done = api.post(f"/v1/handoffs/{first['id']}/resolve",
                    json={"by": "bo", "outcome": "refunded"})
    assert done.status_code == 200 and done.json()["state"] == "resolved"
    view = api.get("/v1/conversations/c1").json()
    assert view["mode"] == "bot"
    kinds = [e["type"] for e in view["events"] if e["type"].startswith("Handoff")]
    assert kinds == ["HandoffRouted", "HandoffAccepted", "HandoffTransferred",
                     "HandoffAccepted", "HandoffResolved"]


def test_claiming_over_http_answers_201_204_404_and_409(api: TestClient) -> None:
    hire(api, "ana", capacity=1, online=False)
    h = escalate(api, "c1")
    assert api.post("/v1/agents/ana/claims", json={}).status_code == 409  # offline
    api.put("/v1/agents/ana/presence", json={"presence": "online"})  # offered c1 at once
    assert api.post("/v1/agents/ana/claims", json={}).status_code == 409  # at capacity
    released = api.post(f"/v1/handoffs/{h['id']}/release",
                        json={"agent_id": "ana", "reason": "wrong person"})
    assert released.status_code == 200 and released.json()["state"] == "queued"
    again = api.post("/v1/agents/ana/claims", json={"handoff_id": h["id"]})
    assert again.status_code == 201 and again.json()["agent_id"] == "ana"
    api.post(f"/v1/handoffs/{h['id']}/release", json={"agent_id": "ana"})
    api.post(f"/v1/handoffs/{h['id']}/transfer", json={"by": "lead", "reason": "x",
                                                        "to_queue": "billing"})
    assert api.post("/v1/agents/ana/claims", json={}).status_code == 204  # not her queue
    assert api.post("/v1/agents/nobody/claims", json={}).status_code == 404
    gone = api.post("/v1/handoffs/h-missing/confirm", json={"agent_id": "ana"})
    assert gone.status_code == 404 and gone.json()["error"] == "not_found"
    wrong = api.post(f"/v1/handoffs/{h['id']}/resolve", json={"by": "ana"})
    assert wrong.status_code == 409 and "only an accepted handoff" in wrong.json()["message"]
    assert api.post("/v1/routing/sweep", json={}).json()["looked_at"] >= 0
