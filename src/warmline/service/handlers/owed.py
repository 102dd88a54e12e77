"""What the customer is owed: messages appended as `OutboundRequested`, in the policy's words.

A message owed to the customer is recorded next to the fact that caused it (the
escalation, a person's reply, the resolution), inside the same unit of work, so it is
decided exactly once; the storage keeps an outbox row for it in the same transaction, and
it is delivered after the commit (service/delivery.py). Only conversations on a channel
Warmline sends to (WhatsApp, Chatwoot, web chat, as wired) are owed anything; a
conversation over the plain API is answered by its caller.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from warmline.domain import events as ev
from warmline.domain.policy import Policy
from warmline.domain.seam.messages import Messages, messages_for
from warmline.service.unit import Appender, Dependencies


def owes(deps: Dependencies, app: Appender) -> bool:
    return app.conv.channel in deps.channels


def owe(app: Appender, kind: str, text: str, now: datetime, *,
        buttons: tuple[tuple[str, str], ...] = (), handoff_id: str | None = None,
        promised_at: datetime | None = None,
        values: Mapping[str, object] | None = None) -> None:
    """Append a message owed to the customer; its key is its place in the log.

    `values` are what the text was made from (team, minutes…): outside WhatsApp's 24-hour
    window they fill the policy's template for this kind instead of the text.
    """
    key = f"{app.conv.id}:{kind}:{len(app.loaded) + len(app.new)}"
    app.add(ev.OutboundRequested(
        conversation_id=app.conv.id, occurred_at=now,
        message_id=key, kind=kind, text=text, button_ids=tuple(b[0] for b in buttons),
        button_titles=tuple(b[1] for b in buttons), handoff_id=handoff_id,
        promised_at=promised_at.isoformat() if promised_at else None,
        template_values=tuple((k, str(v)) for k, v in (values or {}).items())))


def catalogue(policy: Policy, app: Appender) -> Messages:
    """The policy's messages in the conversation's language (as routing read it)."""
    routed = [e for e in app.events if isinstance(e, ev.HandoffRouted)]
    return messages_for(policy.messages, routed[-1].language if routed else None)


def open_handoff(app: Appender) -> str | None:
    """The id of the conversation's latest handoff."""
    routed = [e for e in app.events if isinstance(e, ev.HandoffRouted)]
    return routed[-1].handoff_id if routed else None


def team(app: Appender) -> str:
    """The queue the conversation's handoff is in now, as the customer is told."""
    moved = [e for e in app.events
             if isinstance(e, ev.HandoffRouted | ev.HandoffEscalated | ev.HandoffTransferred)]
    if not moved:
        return "support"
    last = moved[-1]
    return last.queue if isinstance(last, ev.HandoffRouted) else last.to_queue
