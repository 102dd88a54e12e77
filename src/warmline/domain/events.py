"""Past-tense facts appended to a conversation's log; state is derived from them."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from warmline.domain.hits import TriggerHit
from warmline.domain.judge.assessment import Assessment


@dataclass(frozen=True, kw_only=True)
class Event:
    conversation_id: str
    occurred_at: datetime


@dataclass(frozen=True, kw_only=True)
class ConversationStarted(Event):
    channel: str
    customer_ref: str | None = None


@dataclass(frozen=True, kw_only=True)
class MessageReceived(Event):
    """A customer message, keyed by the channel's own message id."""

    message_id: str
    channel: str
    text: str


@dataclass(frozen=True, kw_only=True)
class AgentReplied(Event):
    """The AI agent's reply, with what it reported about itself."""

    message_id: str
    text: str
    confidence: float | None = None
    intent: str | None = None
    actions: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class HumanReplied(Event):
    message_id: str
    text: str
    author: str


@dataclass(frozen=True, kw_only=True)
class HandoffRequested(Event):
    """The explicit one-tap route to a human (button, keyword or API call)."""

    source: str
    turn: int
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class DecisionMade(Event):
    """The judgement after one turn, whether or not it escalated."""

    turn: int
    escalate: bool
    hits: tuple[TriggerHit, ...] = ()
    policy_version: str
    suppressed: bool = False  # hits while already handed over: recorded, not acted on
    #: topics, route and scope of a customer turn (None on agent turns and older events)
    assessment: Assessment | None = None


@dataclass(frozen=True, kw_only=True)
class EscalationTriggered(Event):
    turn: int
    hits: tuple[TriggerHit, ...]
    policy_version: str


@dataclass(frozen=True, kw_only=True)
class CustomerIdentified(Event):
    """The commerce record's customer behind a thread that started without one (a
    WhatsApp number the record learnt later, a record that could not answer at first):
    from here on the conversation, its package and its history are that customer's."""

    customer_ref: str
    channel: str = ""


@dataclass(frozen=True, kw_only=True)
class HandedBackToBot(Event):
    by: str
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class ContextPackaged(Event):
    """The warm-handoff context package built when the conversation escalated.

    `package` is the JSON form of `domain.context.ContextPackage` (versioned by its
    `schema` key): the audit snapshot. Readers also get the record as it is now.
    """

    turn: int
    package: dict[str, Any]



# --- handoffs: routing, queues and assignment (docs/routing.md) ----------------------
# Payloads hold plain values only (times as ISO text), so they store as JSON as they are.


@dataclass(frozen=True, kw_only=True)
class HandoffRouted(Event):
    """Where an escalation went and why: the rule that matched, under which policy."""

    handoff_id: str
    turn: int
    queue: str
    priority: int
    rule: str  # "fallback" when no rule matched
    reason: str
    fallback: bool = False
    language: str | None = None
    policy_version: str
    eta_seconds: int | None = None


@dataclass(frozen=True, kw_only=True)
class HandoffDeferred(Event):
    """Out of hours: the handoff waits for the opening (`next_open`) or a call-back."""

    handoff_id: str
    queue: str
    action: str  # next_open | callback
    until: str  # ISO 8601 opening time
    reason: str


@dataclass(frozen=True, kw_only=True)
class HandoffEscalated(Event):
    """Waiting too long: priority rose, it overflowed to the next queue, or it was flagged."""

    handoff_id: str
    kind: str  # priority | overflow | alert | closed
    from_queue: str
    to_queue: str
    priority: int
    waited_seconds: int
    reason: str


@dataclass(frozen=True, kw_only=True)
class HandoffAccepted(Event):
    """A person confirmed the handoff: the customer has a human (time-to-human ends)."""

    handoff_id: str
    agent_id: str
    queue: str
    waited_seconds: int


@dataclass(frozen=True, kw_only=True)
class HandoffReleased(Event):
    """The person who accepted it put it back in its queue."""

    handoff_id: str
    agent_id: str
    queue: str
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class HandoffTransferred(Event):
    """Moved to another queue or person; the context package travels with it."""

    handoff_id: str
    by: str
    from_queue: str
    to_queue: str
    to_agent: str | None = None
    reason: str
    priority: int
    context_package_turn: int | None = None  # the package that travels, when there is one


@dataclass(frozen=True, kw_only=True)
class HandoffResolved(Event):
    handoff_id: str
    by: str
    queue: str
    outcome: str = ""
    hand_back: bool = True  # the thread returns to the bot


@dataclass(frozen=True, kw_only=True)
class HandoffWithdrawn(Event):
    """Closed before a person accepted it (handed back to the bot, customer gone)."""

    handoff_id: str
    queue: str
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class OutboundRequested(Event):
    """A message Warmline owes the customer on their own thread (docs/channels.md).

    Appended in the same unit of work as the fact that caused it, delivered only after
    the commit; `message_id` is the idempotency key every send carries, so a retried
    delivery never reaches the customer twice. `kind`: bot_reply, expectation,
    wait_update, human_reply or csat_question.
    """

    message_id: str
    kind: str
    text: str
    button_ids: tuple[str, ...] = ()
    button_titles: tuple[str, ...] = ()
    handoff_id: str | None = None
    promised_at: str | None = None  # ISO time a person was promised by (expectations)
    # the values the text was made from ((placeholder, value) pairs: team, minutes…), for
    # a WhatsApp template outside the 24-hour window (messages.<language>.whatsapp_templates)
    template_values: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, kw_only=True)
class CsatReceived(Event):
    """The customer's answer to the CSAT question after a handoff (1..5), for metrics."""

    message_id: str
    score: int
    handoff_id: str | None = None
    channel: str = ""


@dataclass(frozen=True, kw_only=True)
class SeamLeakDetected(Event):
    """After a handoff, someone asked for or restated what the context package held.

    `who` is customer (restated it) or human (asked for it); `item` is order_number,
    problem or tried (or address, damage_photos: asked again after the customer confirmed
    or sent them while waiting). Count them per `handoff_id` for the seam-leak rate.
    """

    handoff_id: str | None
    turn: int
    who: str
    item: str
    evidence: str = ""


@dataclass(frozen=True, kw_only=True)
class InternalNoteAdded(Event):
    """A note the people write on a conversation for each other; never sent to the customer.

    Notes are facts of the conversation (who wrote what, when), so a transfer carries them
    with the context package and an audit reads them in order with the thread.
    """

    note_id: str
    text: str
    author: str
    handoff_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class DetailChecked(Event):
    """While the customer waited, the bot went through a detail the person will need
    (domain/seam/waiting.py): `item` order_number, address, damage_photos or tracking_link;
    `outcome` confirmed, disputed (the customer said no), received (photos) or shared
    (the tracking link); `value` what it was (#1043, the address, the link); `note` the
    customer's own words when they answered."""

    handoff_id: str | None
    item: str
    outcome: str
    value: str = ""
    note: str = ""


CHANNEL_EVENTS: tuple[type[Event], ...] = (OutboundRequested, CsatReceived, SeamLeakDetected,
                                           DetailChecked)

HANDOFF_EVENTS: tuple[type[Event], ...] = (
    HandoffRouted, HandoffDeferred, HandoffEscalated, HandoffAccepted, HandoffReleased,
    HandoffTransferred, HandoffResolved, HandoffWithdrawn)

EVENT_TYPES: dict[str, type[Event]] = {
    cls.__name__: cls
    for cls in (ConversationStarted, MessageReceived, AgentReplied, HumanReplied,
                HandoffRequested, DecisionMade, EscalationTriggered, HandedBackToBot,
                ContextPackaged, CustomerIdentified, InternalNoteAdded)
}
EVENT_TYPES.update({cls.__name__: cls for cls in HANDOFF_EVENTS + CHANNEL_EVENTS})


def to_record(event: Event) -> tuple[str, dict[str, Any]]:
    """Event -> (type name, JSON-ready payload without the envelope fields)."""
    payload: dict[str, Any] = {}
    for f in dataclasses.fields(event):
        if f.name in ("conversation_id", "occurred_at"):
            continue
        value = getattr(event, f.name)
        if f.name == "hits":
            value = [h.to_dict() for h in value]
        elif isinstance(value, Assessment):
            value = value.to_dict()
        elif isinstance(value, tuple):
            value = list(value)
        payload[f.name] = value
    return type(event).__name__, payload


def from_record(type_name: str, conversation_id: str, occurred_at: datetime,
                payload: dict[str, Any]) -> Event:
    """Inverse of `to_record`; unknown types are an error, never silently dropped."""
    cls = EVENT_TYPES.get(type_name)
    if cls is None:
        raise ValueError(f"unknown event type {type_name!r}")
    data = dict(payload)
    if "hits" in data:
        data["hits"] = tuple(TriggerHit.from_dict(h) for h in data["hits"])
    for name in ("actions", "button_ids", "button_titles"):
        if name in data:
            data[name] = tuple(data[name])
    if "template_values" in data:
        data["template_values"] = tuple((str(k), str(v)) for k, v in data["template_values"])
    if data.get("assessment") is not None:
        data["assessment"] = Assessment.from_dict(data["assessment"])
    return cls(conversation_id=conversation_id, occurred_at=occurred_at, **data)


__all__ = [*EVENT_TYPES, "EVENT_TYPES", "Event", "from_record", "to_record"]
