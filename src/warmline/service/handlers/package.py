"""The context package in the service layer: built at escalation, read live.

`package_escalation` runs inside the unit of work that escalates (handlers.py), so the
`ContextPackaged` event commits with the `EscalationTriggered` it belongs to. `live_view`
is the read side: the stored package (the audit snapshot) plus the record as it is now,
the changes since the snapshot, and what was said since the handoff.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any, Protocol

from warmline.domain import events as ev
from warmline.domain.errors import ConversationNotFound
from warmline.domain.model import Conversation, Role
from warmline.domain.package.builder import build_package
from warmline.domain.policy import Policy
from warmline.domain.record.commerce import CustomerRecord, Interaction, diff_records
from warmline.domain.seam.waiting import ITEM_OF_KIND, Checked, Detail, checklist
from warmline.ports import CommerceRecord, RecordUnavailable, Signals, UnitOfWork


class _Appending(Protocol):
    conv: Conversation

    def add(self, event: ev.Event) -> None: ...


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


def package_escalation(uow: UnitOfWork, app: _Appending, escalation: ev.EscalationTriggered,
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


def _details(events: list[ev.Event]) -> list[dict[str, Any]]:
    checked = [Checked(e.item, e.outcome, e.value, e.note) for e in events
               if isinstance(e, ev.DetailChecked)]
    asked = [Detail(ITEM_OF_KIND[e.kind], dict(e.template_values)) for e in events
             if isinstance(e, ev.OutboundRequested) and e.kind in ITEM_OF_KIND]
    return checklist(checked, asked)


def live_view(uow_factory: Callable[[], UnitOfWork], record: CommerceRecord,
              conversation_id: str, now: datetime) -> dict[str, Any] | None:
    """The latest package with the live record and what changed; None if never packaged."""
    with uow_factory() as uow:
        events = uow.conversations.load(conversation_id)
    if not events:
        raise ConversationNotFound(f"conversation {conversation_id!r} does not exist")
    conv = Conversation.replay(conversation_id, events)
    if not conv.packages:
        return None
    stored = conv.packages[-1]
    package = stored.package
    live, problem = read_record(record, package["refs"]["customer_ref"])
    current = live.to_dict() if live is not None else None
    changes = diff_records(package.get("record"), current) if current is not None else []
    focus = [f"orders[{o}]" for o in package["refs"]["order_ids"]]
    if package["refs"]["cart_id"]:
        focus.append(f"carts[{package['refs']['cart_id']}]")
    return {
        "conversation_id": conversation_id,
        "mode": conv.mode.value,
        "packaged_at": stored.occurred_at.isoformat(),
        "packages": len(conv.packages),
        "package": package,
        "live": {
            "read_at": now.isoformat(),
            "available": problem is None,
            "error": problem,
            "record": current,
            "changed": bool(changes),
            "changes": [{**c.to_dict(), "focus": any(c.path.startswith(f) for f in focus)}
                        for c in changes],
        },
        "since_handoff": [{"turn": t.index, "role": t.role.value, "text": t.text,
                           "at": t.at.isoformat() if t.at else None}
                          for t in conv.turns[stored.turn + 1:]],
        # what the customer was already told while waiting (the team, the place in line,
        # the wait), so the person does not ask or promise it again
        "done_while_waiting": [
            {"kind": e.kind, "text": e.text, "at": e.occurred_at.isoformat(),
             "promised_at": e.promised_at}
            for e in events[events.index(stored) + 1:]
            if isinstance(e, ev.OutboundRequested) and e.kind in ("expectation", "wait_update")],
        # the details the bot went through with the customer while they waited
        # (domain/seam/waiting.py): done ones the person need not ask for again
        "details_while_waiting": _details(events),
        "seam_leaks": [{"who": e.who, "item": e.item, "turn": e.turn, "evidence": e.evidence}
                       for e in events[events.index(stored) + 1:]
                       if isinstance(e, ev.SeamLeakDetected)],
    }
