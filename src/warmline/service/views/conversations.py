"""Read side: views of a conversation derived from its events (no writes here)."""

from __future__ import annotations

from typing import Any

from warmline.domain import events as ev
from warmline.domain.judge.decision import public_hit
from warmline.domain.model import Conversation
from warmline.ports import UnitOfWork


def conversation_view(uow: UnitOfWork, conversation_id: str) -> dict[str, Any] | None:
    with uow:
        events = uow.conversations.load(conversation_id)
    if not events:
        return None
    conv = Conversation.replay(conversation_id, events)
    latest = conv.last_decision
    late = conv.late_turns()
    escalation = conv.escalations[-1] if conv.escalations else None
    return {
        "id": conv.id,
        "channel": conv.channel,
        "customer_ref": conv.customer_ref,
        "mode": conv.mode.value,
        "escalated": conv.escalated,
        "turns": [{"index": t.index, "role": t.role.value, "text": t.text,
                   "confidence": t.confidence, "intent": t.intent,
                   "at": t.at.isoformat() if t.at else None, "late": t.index in late}
                  for t in conv.turns],
        "in_channel_order": conv.in_channel_order(),
        "latest_decision": None if latest is None else {
            "turn": latest.turn, "escalate": latest.escalate, "suppressed": latest.suppressed,
            "hits": [public_hit(h) for h in latest.hits],
            "policy_version": latest.policy_version,
            "assessment": latest.assessment.to_dict() if latest.assessment else None},
        "escalation": None if escalation is None else {
            "turn": escalation.turn, "policy_version": escalation.policy_version,
            "triggers": [public_hit(h) for h in escalation.hits]},
        "events": [{"type": name, "occurred_at": e.occurred_at.isoformat(), **payload}
                   for e in events for name, payload in [ev.to_record(e)]],
    }
