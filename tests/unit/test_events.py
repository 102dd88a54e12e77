"""Events serialise losslessly and state is derived by replaying them."""

from datetime import UTC, datetime

from warmline.domain import events as ev
from warmline.domain.hits import Evidence, TriggerHit
from warmline.domain.model import Conversation, Mode, Role

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
HIT = TriggerHit("human_request", 1, "asked for a person",
                 (Evidence(turn=1, quote="a person", start=10, end=18),), 1.0)


def _log() -> list[ev.Event]:
    c = "c1"
    return [
        ev.ConversationStarted(conversation_id=c, occurred_at=NOW, channel="web",
                               customer_ref="cust"),
        ev.MessageReceived(conversation_id=c, occurred_at=NOW, message_id="m1",
                           channel="web", text="hi"),
        ev.AgentReplied(conversation_id=c, occurred_at=NOW, message_id="a1", text="hello",
                        confidence=0.9, intent="greet", actions=("looked_up_order",)),
        ev.DecisionMade(conversation_id=c, occurred_at=NOW, turn=1, escalate=True,
                        hits=(HIT,), policy_version="v1"),
        ev.EscalationTriggered(conversation_id=c, occurred_at=NOW, turn=1, hits=(HIT,),
                               policy_version="v1"),
        ev.HumanReplied(conversation_id=c, occurred_at=NOW, message_id="h1", text="I'm Ana",
                        author="ana"),
        ev.HandedBackToBot(conversation_id=c, occurred_at=NOW, by="ana", reason="solved"),
        ev.HandoffRequested(conversation_id=c, occurred_at=NOW, source="button", turn=2),
    ]


def test_every_event_type_round_trips_through_its_record() -> None:
    log = _log()
    assert {type(e).__name__ for e in log} == set(ev.EVENT_TYPES)
    for event in log:
        name, payload = ev.to_record(event)
        assert ev.from_record(name, event.conversation_id, event.occurred_at, payload) == event


def test_state_is_derived_by_replaying_the_log_in_order() -> None:
    conv = Conversation.replay("c1", _log()[:5])
    assert [t.role for t in conv.turns] == [Role.CUSTOMER, Role.AGENT]
    assert conv.mode is Mode.WAITING and conv.escalated
    assert conv.hits_in_window("human_request") == [1]
    conv = Conversation.replay("c1", _log())
    assert conv.mode is Mode.BOT
    assert conv.window_start == 3 and conv.hits_in_window("human_request") == []


def test_replay_is_deterministic() -> None:
    a, b = Conversation.replay("c1", _log()), Conversation.replay("c1", _log())
    assert a == b
