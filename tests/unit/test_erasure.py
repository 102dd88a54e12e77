"""What erasure removes from an event and what it keeps for the metrics."""

from __future__ import annotations

from datetime import UTC, datetime

from warmline.domain import events as ev
from warmline.domain.hits import Evidence, TriggerHit
from warmline.domain.record.erasure import ERASED, erase, erase_message_id

AT = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
OLD, NEW = "wa-+4915550001", "forgotten-abc"


def test_words_references_and_quotes_go_while_kinds_turns_and_scores_stay() -> None:
    hit = TriggerHit(kind="money_risk", turn=1, reason="asks for €89.99 back to 12 Elm St",
                     evidence=(Evidence(turn=1, quote="12 Elm St", start=3, end=12,
                                        figure=89.99, unit="EUR"),), intensity=0.8)
    log = [
        ev.ConversationStarted(conversation_id=OLD, occurred_at=AT, channel="whatsapp",
                               customer_ref="cust-1"),
        ev.MessageReceived(conversation_id=OLD, occurred_at=AT, message_id="wamid.HBgL49",
                           channel="whatsapp", text="refund to 12 Elm St please"),
        ev.EscalationTriggered(conversation_id=OLD, occurred_at=AT, turn=1, hits=(hit,),
                               policy_version="v1"),
        ev.ContextPackaged(conversation_id=OLD, occurred_at=AT, turn=1, package={
            "summary": "Jane Roe wants €89.99 back", "lane": "priority",
            "triggers": [{"kind": "money_risk", "quote": "12 Elm St"}],
            "record": {"customer": {"name": "Jane Roe", "lifetime_value": 812.5}}}),
        ev.CsatReceived(conversation_id=OLD, occurred_at=AT, message_id=f"{OLD}:csat",
                        score=4, handoff_id="h1", channel="whatsapp"),
        ev.SeamLeakDetected(conversation_id=OLD, occurred_at=AT, handoff_id="h1", turn=3,
                            who="customer", item="order_number", evidence="it's #10432"),
    ]
    started, message, triggered, packaged, csat, leak = erase(log, NEW, OLD)
    assert all(e.conversation_id == NEW for e in (started, message, triggered, csat))
    assert isinstance(started, ev.ConversationStarted) and started.customer_ref is None
    assert isinstance(message, ev.MessageReceived) and message.text == ERASED
    assert "4915550001" not in message.message_id and message.message_id.startswith(NEW)
    assert isinstance(triggered, ev.EscalationTriggered)
    (kept,) = triggered.hits
    assert (kept.kind, kept.turn, kept.intensity, kept.reason) == ("money_risk", 1, 0.8,
                                                                    ERASED)
    assert kept.evidence == (Evidence(turn=1, figure=89.99, unit="EUR"),)
    assert isinstance(packaged, ev.ContextPackaged)
    assert packaged.package == {
        "summary": ERASED, "lane": "priority",
        "triggers": [{"kind": "money_risk", "quote": ERASED}],
        "record": {"customer": {"name": ERASED, "lifetime_value": 812.5}}}
    assert isinstance(csat, ev.CsatReceived)
    assert (csat.score, csat.message_id) == (4, f"{NEW}:csat")
    assert isinstance(leak, ev.SeamLeakDetected)
    assert (leak.item, leak.who, leak.evidence) == ("order_number", "customer", ERASED)


def test_a_message_id_maps_the_same_way_every_time_so_the_log_and_inbound_table_agree(
) -> None:
    assert erase_message_id("wamid.X1", OLD, NEW) == erase_message_id("wamid.X1", OLD, NEW)
    assert erase_message_id("wamid.X1", OLD, NEW) != erase_message_id("wamid.X2", OLD, NEW)
    assert erase_message_id(f"{OLD}:expect:1", OLD, NEW) == f"{NEW}:expect:1"
