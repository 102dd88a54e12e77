"""Who may call what: every route × every role, on the real app over real SQLite.

The matrix below is written by hand from docs/security.md, not read from the code: a
route whose `allow(...)` drifts from it fails here. A second test probes every operation
of the OpenAPI schema without credentials, so a new route that forgets to declare its
callers fails too (public routes are named, with why).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.http_client import ADMIN, admin_client

from warmline.adapters.commerce.memory import MemoryCommerceRecord
from warmline.adapters.signals.lexical import LexicalSignals
from warmline.adapters.storage.migrate import upgrade
from warmline.bootstrap import Warmline, bootstrap
from warmline.config import Config
from warmline.domain.access import Role
from warmline.service import access

OPEN = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # a Wednesday, in hours
ANGRY = "I want to cancel, this is the THIRD time it broke!!"  # → retention

# The callers: ana is an agent of billing (not retention), ben of retention.
CALLERS = ("anonymous", "metrics", "bot", "ana", "ben", "supervisor", "admin")
PUBLIC = {"/healthz", "/webhooks/whatsapp", "/webhooks/chatwoot"}
PUBLIC_PREFIXES = ("/webchat/",)


class Ticking:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        self.at += timedelta(milliseconds=1)
        return self.at


@dataclass
class World:
    wl: Warmline
    http: TestClient
    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    url = f"sqlite:///{tmp_path / 'access.db'}"
    upgrade(url)
    config = Config.from_env({"WARMLINE_DATABASE_URL": url, "WARMLINE_SWEEP_SECONDS": "0",
                              "WARMLINE_RECORD": "none", "WARMLINE_SIGNALS": "lexical",
                              "WARMLINE_RATE_LIMIT_PER_TOKEN": "0"})
    wl = bootstrap(config, signals=LexicalSignals(), record=MemoryCommerceRecord(),
                   clock=Ticking(OPEN))
    with admin_client(wl) as http:
        for person, skills in (("ana", ["billing"]), ("ben", ["retention"])):
            assert http.put(f"/v1/agents/{person}", json={"skills": skills}).status_code == 200
        r = http.post("/v1/conversations/c1/messages", json={"message_id": "m1", "text": ANGRY})
        assert r.json()["decision"]["escalate"]
        handoff = http.get("/v1/conversations/c1/handoff").json()
        assert handoff["queue"] == "retention"
        assert wl.access is not None
        headers = {"anonymous": {}, "admin": ADMIN}
        for name, role, agent_id in (("prom", "metrics", None), ("shop-bot", "bot", None),
                                     ("ana", "agent", "ana"), ("ben", "agent", "ben"),
                                     ("sue", "supervisor", None)):
            issued = access.issue_token(wl.access, name, role, agent_id)
            key = {"prom": "metrics", "shop-bot": "bot", "sue": "supervisor"}.get(name, name)
            headers[key] = {"Authorization": f"Bearer {issued.secret}"}
        yield World(wl, http, headers, {"conversation": "c1", "handoff": handoff["id"]})


# (method, path, body, who may) — `agent` means both agents; `ben` only the agent of the
# conversation's queue (ana then gets 403).
EVERY = set(CALLERS) - {"anonymous"}
PEOPLE = {"ana", "ben", "supervisor", "admin"}
OWN = {"ben", "supervisor", "admin"}
STAFF = {"supervisor", "admin"}
MATRIX: list[tuple[str, str, dict[str, Any] | None, set[str]]] = [
    ("POST", "/v1/conversations/c1/messages", {"message_id": "m2", "text": "hello"},
     {"bot", "admin"}),
    ("POST", "/v1/conversations/c1/agent-replies", {"text": "On it."}, {"bot", "admin"}),
    ("POST", "/v1/conversations/c1/handoff-requests", {}, {"bot", "admin"}),
    ("POST", "/v1/conversations/c1/hand-back", {"by": "ben"}, {"bot"} | OWN),
    ("GET", "/v1/conversations/c1", None, {"bot"} | OWN),
    ("GET", "/v1/conversations", None, {"bot"} | STAFF),
    ("GET", "/v1/conversations/c1/context", None, {"bot"} | OWN),
    ("GET", "/v1/customers/cust-1", None, STAFF),
    ("GET", "/metrics", None, {"metrics"} | STAFF),
    ("GET", "/v1/conversations/c1/human-reply-draft", None, OWN),
    ("POST", "/v1/conversations/c1/human-replies", {"text": "Hi, Ben here.", "author": "Ben"},
     OWN),
    ("POST", "/v1/conversations/c1/csat", {"score": 5, "message_id": "csat-1"},
     {"bot"} | STAFF),
    ("GET", "/v1/conversations/c1/outbox", None, OWN),
    ("GET", "/v1/queues", None, {"bot"} | PEOPLE),
    ("GET", "/v1/queues/retention", None, OWN),
    ("GET", "/v1/agents", None, STAFF),
    ("PUT", "/v1/agents/cy", {"skills": ["billing"]}, STAFF),
    ("PUT", "/v1/agents/ben/presence", {"presence": "away"}, OWN),
    ("POST", "/v1/agents/ben/claims", {}, OWN),
    ("POST", "/v1/handoffs/{handoff}/confirm", {"agent_id": "ben"}, OWN),
    ("POST", "/v1/handoffs/{handoff}/release", {"agent_id": "ben"}, OWN),
    ("POST", "/v1/handoffs/{handoff}/transfer", {"by": "ben", "reason": "billing question",
                                                 "to_queue": "retention"}, OWN),
    ("POST", "/v1/handoffs/{handoff}/resolve", {"by": "ben"}, OWN),
    ("GET", "/v1/handoffs/{handoff}", None, {"bot"} | OWN),
    ("GET", "/v1/conversations/c1/handoff", None, {"bot"} | OWN),
    ("POST", "/v1/routing/sweep", None, STAFF),
    ("GET", "/v1/me", None, EVERY),
    ("GET", "/v1/users", None, {"admin"}),
    ("PUT", "/v1/users/zoe", {"role": "supervisor", "password": "zoe-password-1"},
     {"admin"}),
    ("DELETE", "/v1/users/zoe", None, {"admin"}),
    ("GET", "/v1/tokens", None, {"admin"}),
    ("POST", "/v1/tokens", {"name": "other-bot", "role": "bot"}, {"admin"}),
    ("DELETE", "/v1/tokens/0123abcd", None, {"admin"}),
]


def _call(world: World, caller: str, method: str, path: str,
          body: dict[str, Any] | None) -> int:
    path = path.replace("{handoff}", world.ids["handoff"])
    r = world.http.request(method, path, json=body, headers={
        "Authorization": "", **world.headers[caller]})
    return r.status_code


@pytest.mark.parametrize(("method", "path", "body", "allowed"), MATRIX,
                         ids=[f"{m} {p}" for m, p, _, _ in MATRIX])
def test_each_role_gets_exactly_the_routes_the_security_model_gives_it(
        world: World, method: str, path: str, body: dict[str, Any] | None,
        allowed: set[str]) -> None:
    got = {caller: _call(world, caller, method, path, body) for caller in CALLERS}
    assert got["anonymous"] == 401, got
    refused = {c for c, status in got.items() if status in (401, 403)}
    assert refused == set(CALLERS) - allowed, got


def _placeholder(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "x1", path)


def test_every_operation_in_the_schema_refuses_an_anonymous_caller_unless_named_public(
        world: World) -> None:
    schema = world.http.get("/openapi.json").json()
    probed = 0
    for path, operations in schema["paths"].items():
        for method in operations:
            r = world.http.request(method.upper(), _placeholder(path), json={},
                                   headers={"Authorization": ""})
            ours = r.status_code == 401 and r.json().get("error") == "unauthenticated"
            public = path in PUBLIC or path.startswith(PUBLIC_PREFIXES)
            assert ours != public, (method, path, r.status_code, r.text)
            probed += 1
    in_matrix = {(m, re.sub(r"\{[^}]+\}", "{}", p)) for m, p, _, _ in MATRIX}
    assert probed >= len(in_matrix) + len(PUBLIC)


def test_the_matrix_covers_every_authenticated_operation_in_the_schema(world: World) -> None:
    schema = world.http.get("/openapi.json").json()
    shape = re.compile(r"\{[^}]+\}")
    documented = {(method.upper(), shape.sub("{}", path))
                  for path, ops in schema["paths"].items() for method in ops
                  if path not in PUBLIC and not path.startswith(PUBLIC_PREFIXES)}

    def shape_of(path: str) -> str:
        for full in schema["paths"]:
            pattern = "^" + shape.sub("[^/]+", re.escape(full).replace(r"\{", "{")
                                      .replace(r"\}", "}")) + "$"
            if re.match(pattern, path.replace("{handoff}", "h1")):
                return shape.sub("{}", full)
        return path

    covered = {(m, shape_of(p)) for m, p, _, _ in MATRIX}
    assert documented - covered == set()


ROLE_OF = {"metrics": "metrics", "bot": "bot", "ana": "agent", "ben": "agent",
           "supervisor": "supervisor", "admin": "admin"}


def test_the_schema_declares_for_each_operation_the_roles_the_matrix_gives_it(
        world: World) -> None:
    """Clients generated from /openapi.json learn how to authenticate: the bearer token
    and the console session as security schemes, and per operation the roles that may
    call it — which must be the roles this hand-written matrix lets through."""
    schema = world.http.get("/openapi.json").json()
    schemes = schema["components"]["securitySchemes"]
    assert schemes["bearer"] == {"type": "http", "scheme": "bearer",
                                 "description": schemes["bearer"]["description"]}
    assert schemes["session"]["in"] == "cookie"
    assert schemes["session"]["name"] == "warmline_session"
    shape = re.compile(r"\{[^}]+\}")
    by_shape = {(method.upper(), shape.sub("{}", path)): op
                for path, ops in schema["paths"].items() for method, op in ops.items()}
    for method, path, _, allowed in MATRIX:
        concrete = path.replace("{handoff}", "h1")
        [op] = [op for (m, p), op in by_shape.items() if m == method and re.fullmatch(
            re.escape(p).replace(r"\{\}", "[^/]+"), concrete)]
        roles = sorted({ROLE_OF[c] for c in allowed})
        people = sorted(set(roles) & {"agent", "supervisor", "admin"})
        assert op["security"] == [{"bearer": roles}, {"session": people}], (method, path)
    for path in PUBLIC:
        for op in schema["paths"][path].values():
            assert "security" not in op, path  # open to anyone: no scheme required


def test_an_agent_acts_only_as_itself_while_a_supervisor_may_act_for_anyone(
        world: World) -> None:
    hid = world.ids["handoff"]
    as_ben = world.http.post("/v1/agents/ana/claims", json={"handoff_id": hid},
                             headers=world.headers["ben"])
    assert as_ben.status_code == 403
    confirm_for_other = world.http.post(f"/v1/handoffs/{hid}/confirm",
                                        json={"agent_id": "cy"}, headers=world.headers["ben"])
    assert confirm_for_other.status_code == 403
    assert "acts as itself" in confirm_for_other.json()["message"]
    online = world.http.put("/v1/agents/ben/presence", json={"presence": "online"},
                            headers=world.headers["supervisor"])
    assert online.status_code == 200
    # coming online offered ben the handoff; his supervisor accepts it for him
    confirmed = world.http.post(f"/v1/handoffs/{hid}/confirm", json={"agent_id": "ben"},
                                headers=world.headers["supervisor"])
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["agent_id"] == "ben"


def test_a_revoked_token_is_refused_on_its_next_request(world: World) -> None:
    assert world.wl.access is not None
    issued = access.issue_token(world.wl.access, "temp-bot", Role.BOT)
    bearer = {"Authorization": f"Bearer {issued.secret}"}
    assert world.http.get("/v1/me", headers=bearer).json()["subject"] == "temp-bot"
    assert world.http.delete(f"/v1/tokens/{issued.token.id}").status_code == 204
    refused = world.http.get("/v1/me", headers=bearer)
    assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Bearer"
