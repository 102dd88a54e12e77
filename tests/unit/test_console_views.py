"""The console's pure pieces: evidence spans in a message, SLA states, the SVG charts."""

from __future__ import annotations

from datetime import UTC, datetime

from warmline.domain import events as ev
from warmline.domain.hits import Evidence, TriggerHit
from warmline.entrypoints.console.charts import bars, sparkline
from warmline.entrypoints.console.conversation import Segment, split, thread
from warmline.entrypoints.console.queues import card_facts, sla_state, waited_text

NOW = datetime(2026, 11, 25, 13, 0, tzinfo=UTC)


def test_a_message_is_cut_where_the_evidence_begins_and_ends() -> None:
    text = "I want a refund, this is the third time"
    got = split(text, [(9, 15, "money_risk"), (29, 39, "negative_emotion"),
                       (9, 15, "policy_edge")])
    assert "".join(s.text for s in got) == text
    assert Segment("refund", "money_risk, policy_edge") in got
    assert Segment("third time", "negative_emotion") in got
    assert split("", []) == (Segment(""),)


def test_a_span_past_the_end_of_the_text_is_clipped_not_an_error() -> None:
    assert split("hi", [(1, 99, "looping")]) == (Segment("h"), Segment("i", "looping"))


def test_the_thread_numbers_turns_and_marks_the_escalations_evidence() -> None:
    base = {"conversation_id": "c", "occurred_at": NOW}
    hit = TriggerHit("human_request", 2, "asked", (Evidence(2, "a person", 15, 23),))
    log: list[ev.Event] = [
        ev.MessageReceived(**base, message_id="m1", channel="api", text="hello"),
        ev.AgentReplied(**base, message_id="a1", text="hi there"),
        ev.MessageReceived(**base, message_id="m2", channel="api", text="I want to talk a person"),
        ev.EscalationTriggered(**base, turn=2, hits=(hit,), policy_version="v"),
        ev.InternalNoteAdded(**base, note_id="n", text="call back", author="Ana"),
    ]
    entries = thread(log)
    assert [e.kind for e in entries] == ["customer", "bot", "customer", "fact", "note"]
    assert [e.turn for e in entries] == [0, 1, 2, None, None]
    assert entries[2].segments == (Segment("I want to talk "),
                                   Segment("a person", "human_request"))
    assert entries[1].segments == (Segment("hi there"),)  # nothing marked on the bot's turn
    assert entries[4].who == "Ana" and entries[4].text == "call back"


def test_sla_states_turn_amber_at_three_quarters_and_red_past_the_target() -> None:
    assert [sla_state(s, 60) for s in (0, 44, 45, 60, 61)] == [
        "ok", "ok", "near", "near", "breached"]
    assert [waited_text(s) for s in (5, 65, 3725)] == ["5s", "1m 05s", "1h 02m"]


def test_card_facts_come_from_the_package_of_the_handoffs_escalation() -> None:
    base = {"conversation_id": "c", "occurred_at": NOW}
    hit = TriggerHit("money_risk", 0, "refund", ())
    log: list[ev.Event] = [
        ev.EscalationTriggered(**base, turn=0, hits=(hit, hit), policy_version="v"),
        ev.ContextPackaged(**base, turn=0, package={
            "customer_name": "Maria Keller", "summary": {"wants": "a refund"},
            "record": {"customer": {"tags": ["VIP"], "lifetime_value": 2350.0,
                                    "currency": "EUR"}}}),
        ev.HandoffRouted(**base, handoff_id="h1", turn=0, queue="priority", priority=80,
                         rule="vip", reason="vip", policy_version="v"),
    ]
    facts = card_facts(log, "h1")
    assert (facts.triggers, facts.customer, facts.value, facts.vip, facts.wants) == (
        ("money_risk",), "Maria Keller", "€2,350.00", True, "a refund")


def test_charts_are_svg_with_escaped_labels() -> None:
    line = str(sparkline([-0.5, 0.0, 0.4]))
    assert line.startswith("<svg") and "polyline" in line and "+0.40" in line
    assert "no sentiment yet" in str(sparkline([]))
    chart = str(bars([("<b>q</b>", 3.0), ("ok", 1.0)], limit=2.0, title="waits"))
    assert "&lt;b&gt;" in chart and "<b>" not in chart
    assert chart.count('fill="#b42318"') == 1  # only the bar past the limit is red


def test_todays_figures_are_recomputed_after_the_ttl_or_on_a_new_day() -> None:
    from datetime import timedelta

    from warmline.domain.measure.metrics import SeamMetrics
    from warmline.entrypoints.console.supervisor import TodayCache

    calls: list[int] = []

    def compute() -> SeamMetrics:
        calls.append(1)
        return SeamMetrics(conversations=len(calls))

    cache = TodayCache(ttl=60)
    day = NOW.replace(hour=0)
    first = cache.get(day, NOW, compute)
    again = cache.get(day, NOW + timedelta(seconds=5), compute)
    assert first == again == (NOW, SeamMetrics(conversations=1))  # as of the first read
    tomorrow = cache.get(day + timedelta(days=1), NOW + timedelta(days=1), compute)
    assert tomorrow[1].conversations == 2
    assert TodayCache(ttl=0).get(day, NOW, compute)[1].conversations == 3


def test_details_gone_through_while_waiting_are_lines_of_the_thread() -> None:
    base = {"conversation_id": "c", "occurred_at": NOW}
    entries = thread([ev.DetailChecked(**base, handoff_id="h1", item="order_number",
                                       outcome="confirmed", value="#1043"),
                      ev.CustomerIdentified(**base, customer_ref="c-7", channel="whatsapp")])
    assert [(e.kind, e.text, e.detail) for e in entries] == [
        ("fact", "while waiting: order number confirmed", "#1043"),
        ("fact", "identified as customer c-7", "whatsapp")]
