"""The context package in the service layer: built at escalation, inside its unit of work.

`package_escalation` runs inside the unit of work that escalates (handlers/conversations.py),
so the `ContextPackaged` event commits with the `EscalationTriggered` it belongs to. The
read side (the package with the record as it is now) is service/views/package.py.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from warmline.domain import events as ev
from warmline.domain.model import Conversation, Role
from warmline.domain.package.builder import build_package
from warmline.domain.policy import Policy
from warmline.domain.record.commerce import CustomerRecord, Interaction
from warmline.ports import CommerceRecord, RecordUnavailable, Signals, UnitOfWork
from warmline.service.unit import Appender


def read_record(record: CommerceRecord, customer_ref: str | None
                ) -> tuple[CustomerRecord | None, str | None]:
    """The customer's record, or (None, why) when the record cannot be read right now."""
    if not customer_ref:
        return None, None
    try:
        return record.customer_record(customer_ref), None
    except RecordUnavailable as exc:
        return None, str(exc)


def warmline_history(uow: UnitOfWork, customer_ref: str | None, exclude: str,
                     limit: int) -> list[Interaction]:
    """The customer's earlier Warmline conversations, as interactions, newest first."""
    if not customer_ref or limit <= 0:
        return []
    out = []
    for cid in uow.conversations.ids_for_customer(customer_ref, limit + 1):
        if cid == exclude:
            continue
        events = uow.conversations.load(cid)
        if not events:
            continue
        conv = Conversation.replay(cid, events)
        pkg = conv.packages[-1].package if conv.packages else None
        first = next((t.text for t in conv.turns if t.role is Role.CUSTOMER), "")
        kinds = sorted({h.kind for e in conv.escalations for h in e.hits})
        out.append(Interaction(
            id=cid, customer_ref=customer_ref, channel=conv.channel,
            started_at=events[0].occurred_at, topic=", ".join(kinds),
            summary=pkg["summary"]["wants"] if pkg else first[:200],
            order_id=(pkg["refs"]["order_ids"] or [None])[0] if pkg else None,
            handed_off=bool(conv.escalations),
            outcome=f"warmline: {conv.mode.value}"))
    return out[:limit]


def package_escalation(uow: UnitOfWork, app: Appender, escalation: ev.EscalationTriggered,
                       *, record: CustomerRecord | None, record_error: str | None,
                       signals: Signals, policy: Policy, now: datetime) -> None:
    """Build the package for `escalation` and append it to the conversation's events."""
    conv = app.conv
    history = warmline_history(uow, conv.customer_ref, conv.id, policy.context.history)
    package = build_package(conv, escalation, record=record, history=history,
                            signals=signals, policy=policy, now=now)
    if record_error:
        package = replace(package, record_error=record_error)
    app.add(ev.ContextPackaged(conversation_id=conv.id, occurred_at=now, turn=escalation.turn,
                               package=package.to_dict()))
