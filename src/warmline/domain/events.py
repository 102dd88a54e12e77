"""Past-tense facts appended to a conversation's log; state is derived from them."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from warmline.domain.hits import TriggerHit


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


@dataclass(frozen=True, kw_only=True)
class EscalationTriggered(Event):
    turn: int
    hits: tuple[TriggerHit, ...]
    policy_version: str


@dataclass(frozen=True, kw_only=True)
class HandedBackToBot(Event):
    by: str
    reason: str = ""


EVENT_TYPES: dict[str, type[Event]] = {
    cls.__name__: cls
    for cls in (ConversationStarted, MessageReceived, AgentReplied, HumanReplied,
                HandoffRequested, DecisionMade, EscalationTriggered, HandedBackToBot)
}


def to_record(event: Event) -> tuple[str, dict[str, Any]]:
    """Event -> (type name, JSON-ready payload without the envelope fields)."""
    payload: dict[str, Any] = {}
    for f in dataclasses.fields(event):
        if f.name in ("conversation_id", "occurred_at"):
            continue
        value = getattr(event, f.name)
        if f.name == "hits":
            value = [h.to_dict() for h in value]
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
    if "actions" in data:
        data["actions"] = tuple(data["actions"])
    return cls(conversation_id=conversation_id, occurred_at=occurred_at, **data)


__all__ = [*EVENT_TYPES, "EVENT_TYPES", "Event", "from_record", "to_record"]
