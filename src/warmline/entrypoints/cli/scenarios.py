"""The scenario suite: conversations in YAML with the decision each must produce.

Played over HTTP (an httpx-compatible client), so `warmline demo` against a running
server and the tests (in-process client) exercise exactly the same path. A scenario
without scripted agent turns is answered by Warmline's own agent (WARMLINE_AGENT);
a customer turn followed by a scripted agent turn asks it not to (`"reply": false`).
`expect.package` lists what the context package must say (docs/context.md): the rule of
its next step, and words its summary, next step and first message must contain.
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

    def get(self, url: str) -> Any: ...


class Refused(RuntimeError):
    """The server answered a scenario's turn with an error status."""


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
    package: dict[str, Any] | None = None
    package_problems: list[str] = field(default_factory=list)

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
        if self.package_problems:
            return False
        return self.turn == exp.get("turn") and set(exp.get("triggers", [])) <= set(self.kinds)

    def evidence(self) -> str:
        quotes = [e.get("quote") or e.get("note", "") for t in self.triggers
                  for e in t["evidence"]]
        return "; ".join(q for q in quotes if q)[:80]


def load(directory: Path) -> list[Scenario]:
    out = []
    for path in sorted(directory.glob("*.yaml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise ValueError(f"{path}: not valid YAML ({str(exc).splitlines()[0]})") from None
        if not isinstance(data, dict):
            raise ValueError(f"{path}: expected a mapping with name, turns and expect")
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
            if i + 1 < len(scenario.turns) and "agent" in scenario.turns[i + 1]:
                body["reply"] = False  # the scripted agent answers this one
        elif "agent" in turn:
            url = f"/v1/conversations/{cid}/agent-replies"
            body = {"text": turn["agent"], "message_id": f"{cid}-{i}"}
            body.update({k: turn[k] for k in ("confidence", "intent") if k in turn})
        elif "one_tap" in turn:
            url = f"/v1/conversations/{cid}/handoff-requests"
            body = {"source": turn["one_tap"], "message_id": f"{cid}-{i}"}
            if scenario.customer_ref:
                body["customer_ref"] = scenario.customer_ref
        else:
            raise ValueError(f"{scenario.path}: turn {i} needs customer, agent or one_tap")
        response = client.post(url, json=body)
        if response.status_code >= 400:
            hint = (" (the API token is missing, wrong or revoked)"
                    if response.status_code in (401, 403) else "")
            raise Refused(f"{scenario.path.name}: turn {i}: HTTP {response.status_code} "
                          f"{response.text}{hint}")
        answer = response.json()
        reply = answer.get("reply") or {}
        for decision in (answer["decision"], reply.get("decision")):
            if decision and decision["escalate"] and not result.escalate:
                result.escalate = True
                result.turn = decision["turn"]
                result.triggers = decision["triggers"]
            if decision:
                result.policy_version = decision["policy_version"]
    if result.escalate:
        got = client.get(f"/v1/conversations/{cid}/context")
        result.package = got.json().get("package") if got.status_code == 200 else None
        result.package_problems = check_package(result.package, scenario.expect)
    return result


def check_package(package: dict[str, Any] | None, expect: dict[str, Any]) -> list[str]:
    """What the package gets wrong against `expect.package` (empty: all as expected)."""
    if package is None:
        return ["no context package"]
    want = expect.get("package") or {}
    problems = []
    if "rule" in want and package["next_step"]["rule"] != want["rule"]:
        problems.append(f"next step rule {package['next_step']['rule']!r}, "
                        f"expected {want['rule']!r}")
    texts = {"summary": package["summary"]["text"], "next_step": package["next_step"]["text"],
             "first_message": package["first_message"],
             "quotes": " | ".join(q["text"] for q in package["quotes"])}
    for key, text in texts.items():
        for words in want.get(key, []):
            if words.lower() not in text.lower():
                problems.append(f"{key} lacks {words!r}: {text}")
    for order in want.get("orders", []):
        if order not in package["refs"]["order_ids"]:
            problems.append(f"refs.order_ids {package['refs']['order_ids']} lacks {order!r}")
    if "customer" in want and (package.get("record") or {}).get("customer", {}).get(
            "ref") != want["customer"]:
        problems.append(f"record is not customer {want['customer']!r}")
    return problems


def play_all(client: Poster, scenarios: list[Scenario]) -> Iterator[Result]:
    for scenario in scenarios:
        yield play(client, scenario)
