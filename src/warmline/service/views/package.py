"""The warm-handoff package as a person reads it: the stored package (the audit snapshot)
plus the record as it is now, the changes since the snapshot, and what was said and done
since the handoff."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from warmline.domain import events as ev
from warmline.domain.errors import ConversationNotFound
from warmline.domain.model import Conversation
from warmline.domain.record.commerce import diff_records
from warmline.domain.seam.waiting import ITEM_OF_KIND, Checked, Detail, checklist
from warmline.ports import CommerceRecord, UnitOfWork
from warmline.service.handlers.package import read_record


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
