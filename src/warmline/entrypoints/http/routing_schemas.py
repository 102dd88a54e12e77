"""Strict request and response models of the routing API (queues, agents, handoffs)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from warmline.entrypoints.http.schemas import WHOLE, Strict

AgentId = Annotated[str, Field(pattern=r"^[A-Za-z0-9._:@+\-]{1,128}$",
                               description="the person's id (e.g. their login)")]
HandoffId = Annotated[str, Field(pattern=r"^[A-Za-z0-9._:\-]{1,64}$")]
QueueName = Annotated[str, Field(pattern=r"^[A-Za-z0-9_\-]{1,64}$")]
Tag = Annotated[str, Field(min_length=1, max_length=64)]
Person = Annotated[str, Field(min_length=1, max_length=128)]


class AgentIn(Strict):
    name: Annotated[str, Field(max_length=256)] = ""
    skills: Annotated[list[Tag], Field(max_length=50, default_factory=list)]
    languages: Annotated[list[Annotated[str, Field(pattern=r"^[a-z]{2,3}(-[A-Za-z]{2})?$")]],
                         Field(min_length=1, max_length=20, default_factory=lambda: ["en"])]
    capacity: Annotated[int, Field(ge=1, le=50), WHOLE] = 1


class PresenceIn(Strict):
    presence: Literal["online", "away", "offline"]


class ClaimIn(Strict):
    handoff_id: HandoffId | None = Field(
        default=None, description="claim this handoff; without it, the next one")
    confirm: bool = Field(
        default=False, description="accept it at once: claim and confirm in one "
        "transaction (no lease to confirm afterwards)")


class AgentActionIn(Strict):
    agent_id: AgentId


class ReleaseIn(Strict):
    agent_id: AgentId
    reason: Annotated[str, Field(max_length=1000)] = ""


class TransferIn(Strict):
    """A transfer names a queue, a person or both (the schema says so: anyOf)."""

    model_config = ConfigDict(strict=True, extra="forbid", json_schema_extra={
        "anyOf": [{"required": ["to_queue"], "properties": {"to_queue": {"type": "string"}}},
                  {"required": ["to_agent"], "properties": {"to_agent": {"type": "string"}}}]})
    by: Person
    reason: Annotated[str, Field(min_length=1, max_length=1000)]
    to_queue: QueueName | None = None
    to_agent: AgentId | None = None


class ResolveIn(Strict):
    by: Person
    outcome: Annotated[str, Field(max_length=1000)] = ""
    hand_back: bool = True


class HandoffOut(BaseModel):
    id: str
    conversation_id: str
    queue: str
    priority: int
    state: str
    rule: str
    language: str | None
    agent_id: str | None
    lease_until: str | None
    enqueued_at: str
    waiting_since: str
    available_at: str
    waiting_seconds: int
    overdue: bool
    callback: bool
    transfers: int
    accepted_at: str | None
    resolved_at: str | None
    eta_seconds: int | None = None
    eta_minutes: int | None = None
    position: int | None = None
    eta_basis: str | None = None
    agent_name: str | None = None


class QueueOut(BaseModel):
    name: str
    description: str
    fallback: bool
    skills: list[str]
    languages: list[str]
    product_lines: list[str]
    hours: str
    open_now: bool
    opens_at: str | None
    sla_seconds: int
    waiting: int
    deferred: int
    offered: int
    in_progress: int
    overdue: int
    oldest_wait_seconds: int | None
    agents_online: int
    capacity: int
    busy: int
    free: int
    handle_seconds: float
    eta_seconds: int | None
    eta_minutes: int | None
    eta_basis: str


class QueueDetailOut(QueueOut):
    handoffs: list[HandoffOut]


class AgentOut(BaseModel):
    id: str
    name: str
    skills: list[str]
    languages: list[str]
    capacity: int
    presence: str
    presence_since: str | None
    load: int
    queues: list[str]
    last_assigned_at: str | None


class SweepOut(BaseModel):
    looked_at: int
    escalated: int
    alerted: int
    deferred: int
    expired: int
    offered: int
