"""Read side of the conversation view: the thread as a person reads it, and the package.

No writes here. The thread is built from the event log in order: the customer's, the
bot's and the humans' messages, internal notes, and the handoff's facts (routed,
accepted, transferred, resolved) as quiet lines between them. The words a trigger hit
points at (its evidence span) are split out of the message so the template can mark
them, escaped like the rest: customer text is never trusted as markup.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from warmline.domain import events as ev
from warmline.domain.routing.queueing import Handoff


@dataclass(frozen=True)
class Segment:
    text: str
    mark: str | None = None  # the triggers whose evidence these words are


@dataclass(frozen=True)
class Entry:
    """One line of the thread: a message (customer, bot, human), a note or a fact."""

    kind: str  # customer | bot | human | note | fact
    at: datetime
    who: str
    segments: tuple[Segment, ...]
    turn: int | None = None
    detail: str = ""

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.segments)


def evidence_spans(events: list[ev.Event]) -> dict[int, list[tuple[int, int, str]]]:
    """Turn → (start, end, trigger) of every evidence span of every escalation."""
    spans: dict[int, list[tuple[int, int, str]]] = {}
    for e in events:
        if isinstance(e, ev.EscalationTriggered):
            for hit in e.hits:
                for x in hit.evidence:
                    if x.start is not None and x.end is not None and x.end > x.start:
                        spans.setdefault(x.turn, []).append((x.start, x.end, hit.kind))
    return spans


def split(text: str, spans: list[tuple[int, int, str]]) -> tuple[Segment, ...]:
    """The text cut at every span edge; a piece inside spans names their triggers."""
    cuts = sorted({0, len(text), *(max(0, min(len(text), p))
                                   for a, b, _ in spans for p in (a, b))})
    out = []
    for a, b in itertools.pairwise(cuts):
        kinds = sorted({k for s, e, k in spans if s <= a and b <= e})
        out.append(Segment(text[a:b], ", ".join(kinds) or None))
    return tuple(out) or (Segment(""),)


def thread(events: list[ev.Event]) -> list[Entry]:
    spans = evidence_spans(events)
    turn = -1
    out: list[Entry] = []

    def message(kind: str, who: str, text: str) -> None:
        nonlocal turn
        turn += 1
        out.append(Entry(kind, at, who, split(text, spans.get(turn, [])), turn))

    for e in events:
        at = e.occurred_at
        match e:
            case ev.MessageReceived():
                message("customer", "customer", e.text)
            case ev.AgentReplied():
                message("bot", "bot", e.text)
            case ev.HumanReplied():
                message("human", e.author, e.text)
            case ev.InternalNoteAdded():
                out.append(Entry("note", at, e.author, (Segment(e.text),)))
            case _:
                fact = _fact(e)
                if fact:
                    out.append(Entry("fact", at, "", (Segment(fact[0]),), detail=fact[1]))
    return out


def _fact(e: ev.Event) -> tuple[str, str] | None:
    match e:
        case ev.EscalationTriggered():
            kinds = ", ".join(dict.fromkeys(h.kind for h in e.hits))
            return f"escalated at turn {e.turn}: {kinds}", ""
        case ev.HandoffRouted():
            return f"routed to {e.queue} (priority {e.priority})", e.reason
        case ev.HandoffAccepted():
            return f"{e.agent_id} accepted after {e.waited_seconds // 60}m " \
                   f"{e.waited_seconds % 60:02d}s", ""
        case ev.HandoffTransferred():
            to = e.to_queue + (f" → {e.to_agent}" if e.to_agent else "")
            return f"{e.by} transferred {e.from_queue} → {to}", e.reason
        case ev.HandoffReleased():
            return f"{e.agent_id} released it to {e.queue}", e.reason
        case ev.HandoffEscalated():
            return f"waiting: {e.kind} ({e.from_queue} → {e.to_queue})", e.reason
        case ev.HandoffResolved():
            back = "; the bot has the thread again" if e.hand_back else ""
            return f"{e.by} resolved it{back}", e.outcome
        case ev.HandoffWithdrawn():
            return f"handoff withdrawn from {e.queue}", e.reason
        case ev.HandedBackToBot():
            return f"{e.by} handed the thread back to the bot", e.reason
        case ev.CsatReceived():
            return f"CSAT {e.score}/5", ""
        case ev.DetailChecked():
            return f"while waiting: {e.item.replace('_', ' ')} {e.outcome}", e.value
        case ev.CustomerIdentified():
            return f"identified as customer {e.customer_ref}", e.channel
        case ev.OutboundRequested() if e.kind in ("expectation", "wait_update"):
            return "told the customer", e.text
    return None


def handoff_queue(events: list[ev.Event], open_handoff: Handoff | None) -> str | None:
    """The queue the conversation's handoff is (or last was) in; None if never handed off."""
    if open_handoff is not None:
        return open_handoff.queue
    queue = None
    for e in events:
        if isinstance(e, ev.HandoffRouted | ev.HandoffTransferred | ev.HandoffEscalated):
            queue = e.queue if isinstance(e, ev.HandoffRouted) else e.to_queue
    return queue


def last_handoff_id(events: list[ev.Event]) -> str | None:
    return next((e.handoff_id for e in reversed(events) if isinstance(e, ev.HandoffRouted)),
                None)


def draft(events: list[ev.Event]) -> str:
    """The reply box's text: the package's opener until a person has written."""
    if any(isinstance(e, ev.HumanReplied) for e in events):
        return ""
    packages = [e for e in events if isinstance(e, ev.ContextPackaged)]
    return str(packages[-1].package.get("first_message", "")) if packages else ""


def record_sections(live: dict[str, Any] | None, package: dict[str, Any]) -> dict[str, Any]:
    """The record to show (live when it could be read) and the paths that changed."""
    record = (live or {}).get("record") or package.get("record") or {}
    changes = (live or {}).get("changes") or []
    changed = {c["path"].split(".")[0] for c in changes}
    orders = sorted(record.get("orders", []), key=lambda o: o.get("placed_at") or "",
                    reverse=True)[:8]
    return {"customer": record.get("customer") or {}, "orders": orders,
            "carts": [c for c in record.get("carts", []) if c.get("status") != "converted"],
            "changed": changed, "changes": changes,
            "live": bool((live or {}).get("available")) and (live or {}).get("record")
            is not None}
