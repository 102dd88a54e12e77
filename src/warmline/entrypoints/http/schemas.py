"""Strict request and response models of the HTTP API (they are the OpenAPI schema)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field

ConversationId = Annotated[str, Field(pattern=r"^[A-Za-z0-9._:@+\-]{1,128}$",
                                      description="your id for the conversation")]
MessageId = Annotated[str, Field(min_length=1, max_length=256,
                                 description="the channel's id of this message (idempotency key)")]
Channel = Annotated[str, Field(pattern=r"^[a-z0-9_\-]{1,64}$")]
Ref = Annotated[str, Field(min_length=1, max_length=128)]


def _whole(value: Any) -> Any:
    """JSON has one number type: 3.0 is the integer 3 (JSON Schema agrees); 3.5 is not."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


#: for an integer in a request body: `3.0` is accepted as 3 even in strict models. Put it
#: after the Field(...) in the Annotated, or the schema loses its minimum and maximum.
WHOLE = BeforeValidator(_whole)


class Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")


class CustomerMessageIn(Strict):
    message_id: MessageId
    text: Annotated[str, Field(min_length=1)]
    channel: Channel = "api"
    customer_ref: Ref | None = None
    sent_at: Annotated[AwareDatetime | None, Field(strict=False)] = None
    reply: bool | None = Field(None, description="let Warmline's agent answer this message "
                               "(default: yes when WARMLINE_AGENT is set); send false when "
                               "your own agent will reply")


class AgentReplyIn(Strict):
    text: Annotated[str, Field(min_length=1)]
    message_id: MessageId | None = None
    confidence: Annotated[float | None, Field(ge=0, le=1, strict=False)] = None
    intent: Annotated[str | None, Field(max_length=128)] = None
    actions: Annotated[list[Annotated[str, Field(max_length=128)]], Field(max_length=50)] = []


class HandoffRequestIn(Strict):
    source: Literal["button", "keyword", "api"] = "api"
    text: Annotated[str, Field(min_length=1, max_length=500)] = "Talk to a person"
    message_id: MessageId | None = None
    channel: Channel = "api"
    customer_ref: Ref | None = None


class HandBackIn(Strict):
    by: Annotated[str, Field(min_length=1, max_length=128)]
    reason: Annotated[str, Field(max_length=1000)] = ""


class EvidenceOut(BaseModel):
    turn: int
    quote: str | None = None
    start: int | None = None
    end: int | None = None
    figure: float | None = None
    unit: str | None = None
    note: str | None = None


class HitOut(BaseModel):
    kind: str
    turn: int
    reason: str
    intensity: float
    evidence: list[EvidenceOut]


class DecisionOut(BaseModel):
    escalate: bool
    turn: int | None
    triggers: list[HitOut]
    policy_version: str


class AgentAnswerOut(BaseModel):
    """Warmline's agent's reply to send to the customer, judged like any agent reply."""

    turn: int
    text: str
    confidence: float | None
    intent: str | None
    actions: list[str]
    decision: DecisionOut | None


class OutcomeOut(BaseModel):
    conversation_id: str
    turn: int
    duplicate: bool
    decision: DecisionOut | None
    reply: AgentAnswerOut | None = None


class TurnOut(BaseModel):
    index: int
    role: str
    text: str
    confidence: float | None
    intent: str | None
    at: str | None  # when it was sent: the channel's timestamp for customer messages
    late: bool = False  # delivered after a message sent later (out of order)


class ConversationOut(BaseModel):
    id: str
    channel: str
    customer_ref: str | None
    mode: str
    escalated: bool
    turns: list[TurnOut]  # in arrival order: the order decisions were made and cite
    in_channel_order: list[int] = []  # turn indexes in the order they were sent
    latest_decision: dict[str, Any] | None
    escalation: dict[str, Any] | None
    events: list[dict[str, Any]]


class ErrorField(BaseModel):
    field: str
    message: str


class ErrorOut(BaseModel):
    error: str
    message: str
    fields: list[ErrorField] = []


class HealthOut(BaseModel):
    status: str
    version: str
    policy_version: str


class UnhealthyOut(ErrorOut):
    """503 from /healthz: each problem in one line, with what to do about it."""

    problems: list[str] = []
