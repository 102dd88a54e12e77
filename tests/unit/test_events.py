"""Events serialise losslessly and state is derived by replaying them."""

from datetime import UTC, datetime, timedelta

from warmline.domain import events as ev
from warmline.domain.hits import Evidence, TriggerHit
from warmline.domain.judge.assessment import Assessment, ScopeReading
from warmline.domain.model import Conversation, Mode, Role

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
HIT = TriggerHit("human_request", 1, "asked for a person",
                 (Evidence(turn=1, quote="a person", start=10, end=18),), 1.0)

ASSESSMENT = Assessment(topics=("cancellation",), scores={"complaint": 0.1,
                        "cancellation": 0.93, "refund_request": 0.02}, route="retention",
                        route_confidence=0.88, scope=ScopeReading(True, "cancel_order", 0.42),
                        source="model", sentiment=-0.3)


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
                        hits=(HIT,), policy_version="v1", assessment=ASSESSMENT),
        ev.EscalationTriggered(conversation_id=c, occurred_at=NOW, turn=1, hits=(HIT,),
                               policy_version="v1"),
        ev.ContextPackaged(conversation_id=c, occurred_at=NOW, turn=1,
                           package={"schema": "warmline.context/1", "refs": {"order_ids": []}}),
        ev.HumanReplied(conversation_id=c, occurred_at=NOW, message_id="h1", text="I'm Ana",
                        author="ana"),
        ev.HandedBackToBot(conversation_id=c, occurred_at=NOW, by="ana", reason="solved"),
        ev.HandoffRequested(conversation_id=c, occurred_at=NOW, source="button", turn=2),
        *_handoff_log(c),
    ]


def _handoff_log(c: str) -> list[ev.Event]:
    """A handoff's life; it ends resolved and handed back, so the bot holds the thread."""
    h = {"conversation_id": c, "occurred_at": NOW, "handoff_id": "h1"}
    return [
        ev.HandoffRouted(**h, turn=2, queue="priority", priority=80, rule="vip",
                         reason="customer tag vip", policy_version="v1", eta_seconds=60),
        ev.HandoffDeferred(**h, queue="priority", action="callback",
                           until="2026-11-26T08:00:00+01:00", reason="closed"),
        ev.HandoffEscalated(**h, kind="priority", from_queue="priority", to_queue="priority",
                            priority=90, waited_seconds=61, reason="step 1"),
        ev.HandoffAccepted(**h, agent_id="ana", queue="priority", waited_seconds=70),
        ev.HandoffReleased(**h, agent_id="ana", queue="priority", reason="break"),
        ev.HandoffTransferred(**h, by="ana", from_queue="priority", to_queue="billing",
                              reason="refund rights", priority=90),
        ev.HandoffWithdrawn(conversation_id=c, occurred_at=NOW, handoff_id="h0",
                            queue="general"),
        ev.HandoffResolved(**h, by="bo", queue="billing", outcome="refunded"),
        ev.OutboundRequested(conversation_id=c, occurred_at=NOW, message_id=f"{c}:csat:9",
                             kind="csat_question", text="How did we do?",
                             button_ids=("csat:5", "csat:1"), button_titles=("Great", "Poor"),
                             handoff_id="h1"),
        ev.CsatReceived(conversation_id=c, occurred_at=NOW, message_id="wamid.1", score=5,
                        handoff_id="h1", channel="whatsapp"),
        ev.SeamLeakDetected(conversation_id=c, occurred_at=NOW, handoff_id="h1", turn=3,
                            who="customer", item="order_number", evidence="#1042"),
        ev.InternalNoteAdded(conversation_id=c, occurred_at=NOW, note_id="n1",
                             text="asked for a call-back", author="ana", handoff_id="h1"),
        ev.CustomerIdentified(conversation_id=c, occurred_at=NOW, customer_ref="c-7",
                              channel="whatsapp"),
        ev.DetailChecked(conversation_id=c, occurred_at=NOW, handoff_id="h1",
                         item="order_number", outcome="confirmed", value="#1042",
                         note="yes that's it"),
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


def test_a_decision_recorded_before_assessments_existed_still_loads() -> None:
    payload = {"turn": 0, "escalate": False, "hits": [], "policy_version": "v0",
               "suppressed": False}
    event = ev.from_record("DecisionMade", "c1", NOW, payload)
    assert isinstance(event, ev.DecisionMade) and event.assessment is None


def test_the_assessment_travels_through_the_record_as_plain_json() -> None:
    decision = _log()[3]
    _, payload = ev.to_record(decision)
    assert payload["assessment"]["route"] == "retention"
    assert payload["assessment"]["scope"] == {"in_scope": True, "intent": "cancel_order",
                                              "confidence": 0.42}
    assert ASSESSMENT.intent == "cancel_order" and ASSESSMENT.has("cancellation")


def test_turns_keep_arrival_order_and_know_the_order_they_were_sent_in() -> None:
    def msg(mid: str, seconds: int) -> ev.MessageReceived:
        return ev.MessageReceived(conversation_id="c", occurred_at=NOW + timedelta(
            seconds=seconds), message_id=mid, channel="whatsapp", text=mid)

    conv = Conversation.replay("c", [msg("C", 10), msg("A", 0), msg("B", 5), msg("D", 20)])
    assert [t.text for t in conv.turns] == ["C", "A", "B", "D"]  # as they arrived
    assert [conv.turns[i].text for i in conv.in_channel_order()] == ["A", "B", "C", "D"]
    assert conv.late_turns() == {1, 2}
