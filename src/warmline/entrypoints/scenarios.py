"""The scenario suite: conversations in YAML with the decision each must produce.

Played over HTTP (an httpx-compatible client), so `warmline demo` against a running
server and the tests (in-process client) exercise exactly the same path.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import yaml


class Poster(Protocol):
    def post(self, url: str, *, json: Any) -> Any: ...


@dataclass(frozen=True)
class Scenario:
    name: str
    path: Path
    turns: list[dict[str, Any]]
    expect: dict[str, Any]
    customer_ref: str | None = None


@dataclass
class Result:
    scenario: Scenario
    escalate: bool = False
    turn: int | None = None
    triggers: list[dict[str, Any]] = field(default_factory=list)
    policy_version: str = ""

    @property
    def kinds(self) -> list[str]:
        return sorted({t["kind"] for t in self.triggers})

    @property
    def passed(self) -> bool:
        exp = self.scenario.expect
        if self.escalate != exp["escalate"]:
            return False
        if not self.escalate:
            return True
        return self.turn == exp.get("turn") and set(exp.get("triggers", [])) <= set(self.kinds)

    def evidence(self) -> str:
        quotes = [e.get("quote") or e.get("note", "") for t in self.triggers
                  for e in t["evidence"]]
        return "; ".join(q for q in quotes if q)[:80]


def load(directory: Path) -> list[Scenario]:
    out = []
    for path in sorted(directory.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for key in ("name", "turns", "expect"):
            if key not in data:
                raise ValueError(f"{path}: missing key {key!r}")
        out.append(Scenario(data["name"], path, data["turns"], data["expect"],
                            data.get("customer_ref")))
    return out


def play(client: Poster, scenario: Scenario) -> Result:
    """Send every turn; the first escalation is the result."""
    cid = f"scenario-{scenario.path.stem}-{uuid.uuid4().hex[:8]}"
    result = Result(scenario)
    for i, turn in enumerate(scenario.turns):
        body: dict[str, Any]
        if "customer" in turn:
            url = f"/v1/conversations/{cid}/messages"
            body = {"message_id": f"{cid}-{i}", "text": turn["customer"]}
            if scenario.customer_ref:
                body["customer_ref"] = scenario.customer_ref
        elif "agent" in turn:
            url = f"/v1/conversations/{cid}/agent-replies"
            body = {"text": turn["agent"], "message_id": f"{cid}-{i}"}
            body.update({k: turn[k] for k in ("confidence", "intent") if k in turn})
        elif "one_tap" in turn:
            url = f"/v1/conversations/{cid}/handoff-requests"
            body = {"source": turn["one_tap"], "message_id": f"{cid}-{i}"}
        else:
            raise ValueError(f"{scenario.path}: turn {i} needs customer, agent or one_tap")
        response = client.post(url, json=body)
        if response.status_code >= 400:
            raise RuntimeError(f"{scenario.path}: turn {i}: HTTP {response.status_code} "
                               f"{response.text}")
        decision = response.json()["decision"]
        if decision and decision["escalate"] and not result.escalate:
            result.escalate = True
            result.turn = decision["turn"]
            result.triggers = decision["triggers"]
        if decision:
            result.policy_version = decision["policy_version"]
    return result


def play_all(client: Poster, scenarios: list[Scenario]) -> Iterator[Result]:
    for scenario in scenarios:
        yield play(client, scenario)
