"""Who may do what: roles, the principal behind a request, and the rule for a conversation.

People sign in (agent, supervisor, admin); machines hold API tokens (bot: the AI agent
that forwards turns; metrics: a Prometheus scraper; or any person's role). An agent sees
only the queues it may take from and the handoffs it holds; supervisors and admins see
every queue. The rules are data (`ROLE_HELP`, `may_see`) so the docs and the
authorisation matrix test read the same thing the code enforces.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from warmline.domain import events as ev


class Role(StrEnum):
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"
    BOT = "bot"
    METRICS = "metrics"


ROLE_HELP: dict[Role, str] = {
    Role.AGENT: "a person who takes handoffs: only the queues it may take from and the "
                "handoffs it holds",
    Role.SUPERVISOR: "every queue and person: reassign, transfer, staff, read metrics and "
                     "customer records",
    Role.ADMIN: "everything a supervisor may, plus users, API tokens and the policy",
    Role.BOT: "a machine: the AI agent that posts customer turns and its replies and reads "
              "Warmline's decisions",
    Role.METRICS: "a machine: scrapes `/metrics`, nothing else",
}
PEOPLE = (Role.AGENT, Role.SUPERVISOR, Role.ADMIN)
EVERYONE = tuple(Role)
STAFF = (Role.SUPERVISOR, Role.ADMIN)


@dataclass(frozen=True)
class Principal:
    """The authenticated caller. `via` says how: a browser `session` or an API `token`."""

    subject: str
    role: Role
    agent_id: str | None = None
    via: str = "token"

    @property
    def sees_all_queues(self) -> bool:
        return self.role in STAFF


@dataclass(frozen=True)
class User:
    """A person who signs in; `agent_id` links an agent to the HumanAgent it works as."""

    name: str
    role: Role
    password_hash: str
    agent_id: str | None = None
    created_at: datetime | None = None
    disabled: bool = False


@dataclass(frozen=True)
class ApiToken:
    """A machine's credential. Only the SHA-256 of the secret is kept."""

    id: str
    name: str
    role: Role
    token_hash: str
    agent_id: str | None = None
    created_at: datetime | None = None
    revoked: bool = False


@dataclass(frozen=True)
class WebSession:
    """A signed-in browser: the cookie's SHA-256, its CSRF token and when it ends."""

    token_hash: str
    user_name: str
    csrf: str
    expires_at: datetime


@dataclass(frozen=True)
class Holding:
    """Where a conversation's handoff is: its queue(s) and the people who held it."""

    queues: frozenset[str] = frozenset()
    agents: frozenset[str] = frozenset()


def holding(events: Iterable[ev.Event]) -> Holding:
    """The queue a conversation's latest handoff sits in now, and everyone who accepted it
    or had it transferred to them (they keep sight of what they worked on)."""
    queue: str | None = None
    agents: set[str] = set()
    for e in events:
        if isinstance(e, (ev.HandoffRouted, ev.HandoffDeferred)):
            queue = e.queue
        elif isinstance(e, (ev.HandoffEscalated, ev.HandoffTransferred)):
            queue = e.to_queue
            if isinstance(e, ev.HandoffTransferred) and e.to_agent:
                agents.add(e.to_agent)
        elif isinstance(e, ev.HandoffAccepted):
            agents.add(e.agent_id)
    return Holding(frozenset({queue} if queue else ()), frozenset(agents))


def may_see(principal: Principal, holding: Holding,
            agent_queues: Iterable[str] = ()) -> bool:
    """Staff see everything; an agent sees a conversation routed to one of its queues or
    held by it; machines (bot) see every conversation they feed; `metrics` sees none."""
    if principal.sees_all_queues or principal.role is Role.BOT:
        return True
    if principal.role is not Role.AGENT:
        return False
    if principal.agent_id is not None and principal.agent_id in holding.agents:
        return True
    return bool(holding.queues & frozenset(agent_queues))
