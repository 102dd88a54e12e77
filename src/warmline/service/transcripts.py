"""Transcripts out of and into the store in FORMAT.md's shape (../shared/data/FORMAT.md).

Export writes one case per stored conversation — the customer's messages and the bot's
replies, in order, with the bot's confidence and intent — so a brand can add `labels`
to its own conversations and measure a policy with `warmline eval` or `warmline replay
--set`. Human agents' messages are left out: FORMAT.md has no role for them, and what
is measured is the bot side of the seam. No customer reference is written.

Import plays cases into the store through the message bus (the only writer), as the API
would, one conversation per case.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from warmline.domain import commands as cmd
from warmline.domain.events import Event
from warmline.ports import UnitOfWork
from warmline.service.messagebus import MessageBus


def case_of(conversation_id: str, events: Iterable[Event], source: str) -> dict[str, Any]:
    """One conversation as a FORMAT.md case (no labels: those are the reader's to add)."""
    turns: list[dict[str, Any]] = []
    for e in events:
        name = type(e).__name__
        if name == "MessageReceived":
            turns.append({"role": "customer", "text": e.text})  # type: ignore[attr-defined]
        elif name == "AgentReplied":
            turn: dict[str, Any] = {"role": "agent", "text": e.text}  # type: ignore[attr-defined]
            if e.confidence is not None:  # type: ignore[attr-defined]
                turn["confidence"] = e.confidence  # type: ignore[attr-defined]
            if e.intent:  # type: ignore[attr-defined]
                turn["intent"] = e.intent  # type: ignore[attr-defined]
            turns.append(turn)
    return {"id": conversation_id, "source": source, "turns": turns}


def export_cases(uow: Callable[[], UnitOfWork], source: str = "warmline",
                 limit: int = 100_000) -> Iterator[dict[str, Any]]:
    """Every stored conversation with at least one customer message, oldest first."""
    from warmline.service.views.metrics import load_histories, sorted_ids

    histories = load_histories(uow, limit=limit)
    for cid in sorted_ids(histories):  # type: ignore[arg-type]
        case = case_of(cid, histories[cid], source)
        if any(t["role"] == "customer" for t in case["turns"]):
            yield case


def to_jsonl(cases: Iterable[dict[str, Any]]) -> str:
    return "".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cases)


def import_cases(bus: MessageBus, cases: Iterable[dict[str, Any]], prefix: str = "import:",
                 channel: str = "import") -> int:
    """Play each case into the store as conversation `prefix + id`; returns how many.
    Replaying the same file again is a no-op (message ids are derived from the case)."""
    count = 0
    for case in cases:
        cid = f"{prefix}{case['id']}"
        for i, turn in enumerate(case["turns"]):
            mid = f"{cid}:{i}"
            if turn["role"] == "agent":
                bus.handle(cmd.RecordAgentReply(
                    conversation_id=cid, text=turn["text"], message_id=mid,
                    confidence=turn.get("confidence"), intent=turn.get("intent"),
                    start_if_missing=True))
            else:
                bus.handle(cmd.ReceiveCustomerMessage(
                    conversation_id=cid, message_id=mid, text=turn["text"], channel=channel,
                    reply=False))
        count += 1
    return count
