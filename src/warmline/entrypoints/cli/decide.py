"""One conversation judged in memory, through the same service layer as the API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from warmline.bootstrap import bootstrap, file_record, load_policy, memory_uow_factory
from warmline.config import Config
from warmline.domain import commands as cmd
from warmline.service.views.conversations import conversation_view


def decide_case(case: Any, *, record: Path | None = None, policy: Path | None = None,
                customer_ref: str | None = None) -> dict[str, Any]:
    """Feed the case's turns in order and return the decision after the last one."""
    if not isinstance(case, dict) or not isinstance(case.get("turns"), list):
        raise ValueError('stdin: expected {"turns": [...]}')
    config = Config.from_env()
    wl = bootstrap(config, uow=memory_uow_factory(), policy=load_policy(policy or config.policy),
                   record=file_record(record))
    cid = "stdin"
    for i, turn in enumerate(case["turns"]):
        if not isinstance(turn, dict) or not isinstance(turn.get("text"), str):
            raise ValueError(f"turns[{i}].text: expected text")
        role = turn.get("role")
        if role == "customer":
            wl.bus.handle(cmd.ReceiveCustomerMessage(
                conversation_id=cid, message_id=str(i), text=turn["text"],
                customer_ref=customer_ref))
        elif role == "agent":
            conf = turn.get("confidence")
            if conf is not None and not isinstance(conf, (int, float)):
                raise ValueError(f"turns[{i}].confidence: expected a number")
            wl.bus.handle(cmd.RecordAgentReply(conversation_id=cid, text=turn["text"],
                                               message_id=str(i), confidence=conf,
                                               intent=turn.get("intent"),
                                               start_if_missing=True))
        else:
            raise ValueError(f"turns[{i}].role: expected customer or agent, got {role!r}")
    view = conversation_view(wl.uow(), cid)
    escalation = view["escalation"] if view else None
    return {"escalate": escalation is not None,
            "turn": escalation["turn"] if escalation else None,
            "triggers": escalation["triggers"] if escalation else [],
            "policy_version": wl.policy.version}
