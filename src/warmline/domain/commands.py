"""Commands: what a caller asks Warmline to do (imperative; handlers turn them into events).

Every command derives from `Command[R]`, where R is what handling it returns, so the one
message bus (service/messagebus.py) hands back an `Outcome`, a `Handoff`, a person or a
sweep report, typed, without a cast. Commands about one conversation carry its id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from warmline.domain.routing.queueing import Handoff, HumanAgent

R = TypeVar("R")


@dataclass(frozen=True, kw_only=True)
class Command(Generic[R]):
    """Base of every command; R is what handling one returns."""


@dataclass(frozen=True)
class Outcome:
    """What a conversation command did: the turn it stored and, if judged, the decision."""

    conversation_id: str
    turn: int
    decision: dict[str, Any] | None
    duplicate: bool = False
    reply: dict[str, Any] | None = None  # Warmline's agent's reply, when it answered


@dataclass(frozen=True, kw_only=True)
class ConversationCommand(Command[Outcome]):
    conversation_id: str

    def inbound_key(self) -> tuple[str, str] | None:
        """(channel, message id) when the command carries a platform's message id: it is
        then handled once, and a repeat gets the first outcome (service/unit.py)."""
        return None


# --- a conversation: the customer, the agent, the person ------------------------------


@dataclass(frozen=True, kw_only=True)
class ReceiveCustomerMessage(ConversationCommand):
    message_id: str
    text: str
    channel: str = "api"
    customer_ref: str | None = None
    sent_at: datetime | None = None
    #: let Warmline's own agent answer (None: as configured by WARMLINE_AGENT)
    reply: bool | None = None

    def inbound_key(self) -> tuple[str, str] | None:
        return self.channel, self.message_id


@dataclass(frozen=True, kw_only=True)
class RecordAgentReply(ConversationCommand):
    text: str
    message_id: str | None = None
    confidence: float | None = None
    intent: str | None = None
    actions: tuple[str, ...] = ()
    start_if_missing: bool = False  # an agent greeting may open a conversation

    def inbound_key(self) -> tuple[str, str] | None:
        if self.message_id is None:
            return None
        return "agent", f"{self.conversation_id}:{self.message_id}"


@dataclass(frozen=True, kw_only=True)
class RecordAgentDraft(ConversationCommand):
    """Warmline's own agent answers customer turn `turn`, with a reply drafted outside
    any transaction (a model call may take seconds); stored only if the conversation
    still has `seen` events, else the bus drafts again on fresh state."""

    turn: int
    seen: int
    text: str
    confidence: float
    intent: str
    actions: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class RequestHandoff(ConversationCommand):
    """The one-tap route: a button, a keyword or an API call."""

    source: str = "api"
    text: str = "Talk to a person"
    message_id: str | None = None
    channel: str = "api"
    customer_ref: str | None = None

    def inbound_key(self) -> tuple[str, str] | None:
        return None if self.message_id is None else (self.channel, self.message_id)


@dataclass(frozen=True, kw_only=True)
class HandBackToBot(ConversationCommand):
    by: str
    reason: str = ""
    csat: bool = False  # a person closed it on the channel (Chatwoot): ask for CSAT


@dataclass(frozen=True, kw_only=True)
class SendHumanReply(ConversationCommand):
    """A person's reply, sent on the customer's own thread as the brand."""

    text: str
    author: str
    message_id: str | None = None

    def inbound_key(self) -> tuple[str, str] | None:
        if self.message_id is None:
            return None
        return "human", f"{self.conversation_id}:{self.message_id}"


@dataclass(frozen=True, kw_only=True)
class RecordCsat(ConversationCommand):
    """The customer's answer to the CSAT question (a button tap or the API)."""

    score: int
    message_id: str
    channel: str = "api"

    def inbound_key(self) -> tuple[str, str] | None:
        return self.channel, self.message_id


@dataclass(frozen=True, kw_only=True)
class AddInternalNote(ConversationCommand):
    """A note for the people on this conversation (the console); the customer never sees it."""

    text: str
    author: str


# --- handoffs and the people who take them --------------------------------------------


@dataclass(frozen=True)
class SweepReport:
    looked_at: int = 0
    escalated: int = 0  # priority rises and overflows
    alerted: int = 0
    deferred: int = 0
    expired: int = 0  # leases that ran out and went back to the queue
    offered: int = 0


@dataclass(frozen=True, kw_only=True)
class SaveAgent(Command[HumanAgent]):
    """Create or update a person's profile (presence is kept)."""

    agent_id: str
    name: str = ""
    skills: tuple[str, ...] = ()
    languages: tuple[str, ...] = ("en",)
    capacity: int = 1


@dataclass(frozen=True, kw_only=True)
class SetPresence(Command[HumanAgent]):
    agent_id: str
    presence: str  # online | away | offline


@dataclass(frozen=True, kw_only=True)
class ClaimNext(Command[Handoff | None]):
    """Lease the next handoff this person may take; None when there is none."""

    agent_id: str


@dataclass(frozen=True, kw_only=True)
class ClaimHandoff(Command[Handoff]):
    """Lease one particular waiting handoff."""

    agent_id: str
    handoff_id: str


@dataclass(frozen=True, kw_only=True)
class TakeHandoff(Command[Handoff | None]):
    """Claim and accept in one transaction: the given handoff, or the next one this
    person may take (None when nothing waits for them)."""

    agent_id: str
    handoff_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class ConfirmHandoff(Command[Handoff]):
    """Accept a leased handoff (a claim or an offer) before the lease runs out."""

    agent_id: str
    handoff_id: str


@dataclass(frozen=True, kw_only=True)
class ReleaseHandoff(Command[Handoff]):
    """Give a leased or accepted handoff back to its queue."""

    agent_id: str
    handoff_id: str
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class TransferHandoff(Command[Handoff]):
    """Move a handoff to another queue and/or offer it to one person."""

    handoff_id: str
    by: str
    reason: str
    to_queue: str | None = None
    to_agent: str | None = None


@dataclass(frozen=True, kw_only=True)
class ResolveHandoff(Command[Handoff]):
    handoff_id: str
    by: str
    outcome: str = ""
    hand_back: bool = True


@dataclass(frozen=True, kw_only=True)
class Sweep(Command[SweepReport]):
    """Apply due cascade steps, alerts, closings and lapsed leases; offer what waits."""

    limit: int = 200


@dataclass(frozen=True, kw_only=True)
class UpdateWaits(Command[list[str]]):
    """Tell every customer whose promised wait has passed how long it is now.

    Returns the conversations that were owed an update (the bus delivers them)."""

    limit: int = 200
