"""Command handlers by capability, and the one registry the message bus dispatches from.

Every handler is `handler(command, uow, deps) -> result`, run inside the unit of work the
bus opened; the bus commits after it returns, and delivers what the commit owes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from warmline.domain import commands as cmd
from warmline.service.handlers import agent, conversations, handoffs, seam

HANDLERS: dict[type[cmd.Command[Any]], Callable[..., Any]] = {
    cmd.ReceiveCustomerMessage: conversations.receive_customer_message,
    cmd.RecordAgentReply: conversations.record_agent_reply,
    cmd.RecordAgentDraft: agent.record_agent_draft,
    cmd.RequestHandoff: conversations.request_handoff,
    cmd.HandBackToBot: conversations.hand_back_to_bot,
    cmd.AddInternalNote: conversations.add_internal_note,
    cmd.SendHumanReply: seam.send_human_reply,
    cmd.RecordCsat: seam.record_csat,
    cmd.UpdateWaits: seam.update_waits,
    cmd.SaveAgent: handoffs.save_agent,
    cmd.SetPresence: handoffs.set_presence,
    cmd.ClaimNext: handoffs.claim_next,
    cmd.ClaimHandoff: handoffs.claim_handoff,
    cmd.TakeHandoff: handoffs.take_handoff,
    cmd.ConfirmHandoff: handoffs.confirm_handoff,
    cmd.ReleaseHandoff: handoffs.release_handoff,
    cmd.TransferHandoff: handoffs.transfer_handoff,
    cmd.ResolveHandoff: handoffs.resolve_handoff,
    cmd.Sweep: handoffs.sweep,
}
