"""Forgetting a customer: what of a conversation's log is personal, and what is kept.

The log is append-only with one exception: a customer's erasure request. Then every
event of their conversations is rewritten by `erase`: free text (their words, the bot's
and the human's replies, notes, evidence quotes, hit reasons, the context package's
contents) becomes `ERASED`, the customer reference goes; what the metrics read stays
(event kinds and times, turns, trigger kinds and intensities, queues, people, CSAT
scores, seam-leak items). A test compares the metrics before and after.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import replace
from enum import Enum
from typing import Any

from warmline.domain import events as ev
from warmline.domain.hits import Evidence, TriggerHit

ERASED = "[erased]"

# Keys inside a context package whose values are categories, not anybody's words.
PACKAGE_CATEGORIES = frozenset({
    "kind", "kinds", "rule", "lane", "queue", "topic", "topics", "intent", "language",
    "trigger", "triggers", "channel", "policy_version", "status", "currency", "tier",
    "sentiment", "state", "source", "done", "value_band", "route", "item",
})


def _scrub(value: Any, key: str = "") -> Any:
    """Strings become ERASED unless their key names a category; numbers stay."""
    if isinstance(value, Mapping):
        return {k: _scrub(v, str(k)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_scrub(v, key) for v in value]
    if isinstance(value, str) and not isinstance(value, Enum):
        return value if key in PACKAGE_CATEGORIES or not value else ERASED
    return value


def _hit(hit: TriggerHit) -> TriggerHit:
    return replace(hit, reason=ERASED, evidence=tuple(
        Evidence(turn=e.turn, figure=e.figure, unit=e.unit) for e in hit.evidence))


def erase_message_id(message_id: str, old: str, new: str) -> str:
    """A channel's message id may encode the sender (WhatsApp's wamid holds the number):
    ids built from the conversation id keep their shape under the new id; any other is
    replaced by a digest, so the same id maps the same way in the log and the inbound
    table."""
    if old and old in message_id:
        return message_id.replace(old, new)
    return f"{new}:{hashlib.sha256(message_id.encode()).hexdigest()[:16]}"


def erase_event(e: ev.Event, conversation_id: str, old_id: str = "") -> ev.Event:
    """One event without its personal content, under the conversation's new id."""
    e = replace(e, conversation_id=conversation_id)
    if isinstance(e, (ev.MessageReceived, ev.AgentReplied, ev.HumanReplied,
                      ev.OutboundRequested, ev.CsatReceived)):
        e = replace(e, message_id=erase_message_id(e.message_id, old_id, conversation_id))
    if isinstance(e, (ev.MessageReceived, ev.AgentReplied, ev.HumanReplied)):
        return replace(e, text=ERASED)
    if isinstance(e, ev.OutboundRequested):
        return replace(e, text=ERASED)
    if isinstance(e, ev.ConversationStarted):
        return replace(e, customer_ref=None)
    if isinstance(e, ev.ContextPackaged):
        return replace(e, package=_scrub(e.package))
    if isinstance(e, ev.DecisionMade):  # the assessment holds categories and scores only
        return replace(e, hits=tuple(_hit(h) for h in e.hits))
    if isinstance(e, ev.EscalationTriggered):
        return replace(e, hits=tuple(_hit(h) for h in e.hits))
    if isinstance(e, ev.HandoffRequested):
        return replace(e, note=ERASED if e.note else "")
    if isinstance(e, ev.SeamLeakDetected):
        return replace(e, evidence=ERASED)
    if isinstance(e, (ev.HandedBackToBot, ev.HandoffTransferred, ev.HandoffReleased)):
        return replace(e, reason=ERASED if e.reason else "")
    if isinstance(e, ev.HandoffResolved):
        return replace(e, outcome=ERASED if e.outcome else "")
    return e


def erase(events: Iterable[ev.Event], conversation_id: str,
          old_id: str = "") -> list[ev.Event]:
    """A whole conversation's log, erased and renamed (its old id may hold a phone number)."""
    return [erase_event(e, conversation_id, old_id) for e in events]
