"""Commands about handoffs and the people who take them, and the errors they can meet.

Each command names the type of its result (`HandoffCommand[R]`), so the message bus
returns a `Handoff`, an agent or a sweep report, typed, without a cast.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from warmline.domain.errors import DomainError
from warmline.domain.routing.queueing import Handoff, HumanAgent

R = TypeVar("R")


@dataclass(frozen=True, kw_only=True)
class HandoffCommand(Generic[R]):
    """Base of the routing commands; R is what handling one returns."""


@dataclass(frozen=True)
class SweepReport:
    looked_at: int = 0
    escalated: int = 0  # priority rises and overflows
    alerted: int = 0
    deferred: int = 0
    expired: int = 0  # leases that ran out and went back to the queue
    offered: int = 0


@dataclass(frozen=True, kw_only=True)
class SaveAgent(HandoffCommand[HumanAgent]):
    """Create or update a person's profile (presence is kept)."""

    agent_id: str
    name: str = ""
    skills: tuple[str, ...] = ()
    languages: tuple[str, ...] = ("en",)
    capacity: int = 1


@dataclass(frozen=True, kw_only=True)
class SetPresence(HandoffCommand[HumanAgent]):
    agent_id: str
    presence: str  # online | away | offline


@dataclass(frozen=True, kw_only=True)
class ClaimNext(HandoffCommand[Handoff | None]):
    """Lease the next handoff this person may take; None when there is none."""

    agent_id: str


@dataclass(frozen=True, kw_only=True)
class ClaimHandoff(HandoffCommand[Handoff]):
    """Lease one particular waiting handoff."""

    agent_id: str
    handoff_id: str


@dataclass(frozen=True, kw_only=True)
class ConfirmHandoff(HandoffCommand[Handoff]):
    """Accept a leased handoff (a claim or an offer) before the lease runs out."""

    agent_id: str
    handoff_id: str


@dataclass(frozen=True, kw_only=True)
class ReleaseHandoff(HandoffCommand[Handoff]):
    """Give a leased or accepted handoff back to its queue."""

    agent_id: str
    handoff_id: str
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class TransferHandoff(HandoffCommand[Handoff]):
    """Move a handoff to another queue and/or offer it to one person."""

    handoff_id: str
    by: str
    reason: str
    to_queue: str | None = None
    to_agent: str | None = None


@dataclass(frozen=True, kw_only=True)
class ResolveHandoff(HandoffCommand[Handoff]):
    handoff_id: str
    by: str
    outcome: str = ""
    hand_back: bool = True


@dataclass(frozen=True, kw_only=True)
class Sweep(HandoffCommand[SweepReport]):
    """Apply due cascade steps, alerts, closings and lapsed leases; offer what waits."""

    limit: int = 200


class HandoffNotFound(DomainError):
    pass


class AgentNotFound(DomainError):
    pass


class HandoffConflict(DomainError):
    """The handoff or the person is not in a state the command needs (HTTP 409)."""


class UnknownTarget(DomainError):
    """A transfer names a queue the policy does not have (HTTP 422); `field` says which."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True, kw_only=True)
class UpdateWaits(HandoffCommand[list[str]]):
    """Tell every customer whose promised wait has passed how long it is now.

    Returns the conversations that are owed an update (deliver them after the commit).
    """

    limit: int = 200
