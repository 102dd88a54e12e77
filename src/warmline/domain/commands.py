"""Commands: what a caller asks Warmline to do (imperative; handlers turn them into events)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, kw_only=True)
class Command:
    conversation_id: str


@dataclass(frozen=True, kw_only=True)
class ReceiveCustomerMessage(Command):
    message_id: str
    text: str
    channel: str = "api"
    customer_ref: str | None = None
    sent_at: datetime | None = None
    #: let Warmline's own agent answer (None: as configured by WARMLINE_AGENT)
    reply: bool | None = None


@dataclass(frozen=True, kw_only=True)
class AnswerWithAgent(Command):
    """Warmline's agent answers customer turn `turn` (follows ReceiveCustomerMessage)."""

    turn: int


@dataclass(frozen=True, kw_only=True)
class RecordAgentReply(Command):
    text: str
    message_id: str | None = None
    confidence: float | None = None
    intent: str | None = None
    actions: tuple[str, ...] = ()
    start_if_missing: bool = False  # an agent greeting may open a conversation


@dataclass(frozen=True, kw_only=True)
class RequestHandoff(Command):
    """The one-tap route: a button, a keyword or an API call."""

    source: str = "api"
    text: str = "Talk to a person"
    message_id: str | None = None
    channel: str = "api"
    customer_ref: str | None = None


@dataclass(frozen=True, kw_only=True)
class HandBackToBot(Command):
    by: str
    reason: str = ""
    csat: bool = False  # a person closed it on the channel (Chatwoot): ask for CSAT


@dataclass(frozen=True, kw_only=True)
class SendHumanReply(Command):
    """A person's reply, sent on the customer's own thread as the brand."""

    text: str
    author: str
    message_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class RecordCsat(Command):
    """The customer's answer to the CSAT question (a button tap or the API)."""

    score: int
    message_id: str
    channel: str = "api"


@dataclass(frozen=True, kw_only=True)
class AddInternalNote(Command):
    """A note for the people on this conversation (the console); the customer never sees it."""

    text: str
    author: str
