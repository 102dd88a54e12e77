"""Seam metrics (docs/metrics.md) on hand-built event streams: each figure by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from warmline.domain import events as ev
from warmline.domain.hits import TriggerHit
from warmline.domain.judge.assessment import Assessment
from warmline.domain.measure.metrics import (
    compute,
    csat_answers,
    extract_handoffs,
    missed_escalation,
    percentile,
    seam_leaks,
)

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


CsatReceived = ev.CsatReceived
SeamLeakDetected = ev.SeamLeakDetected


class Log:
    """A conversation written minute by minute: `at(m)` is T0 + m minutes."""

    def __init__(self, cid: str, channel: str = "webchat", customer: str | None = None,
                 start: datetime = T0) -> None:
        self.cid, self.start, self.channel = cid, start, channel
        self.events: list[Any] = [ev.ConversationStarted(
            conversation_id=cid, occurred_at=start, channel=channel, customer_ref=customer)]

    def at(self, minutes: float) -> datetime:
        return self.start + timedelta(minutes=minutes)

    def add(self, cls: type, minutes: float, **kw: Any) -> Log:
        self.events.append(cls(conversation_id=self.cid, occurred_at=self.at(minutes), **kw))
        return self

    def customer(self, m: float, text: str = "hi", *, sentiment: float = 0.0,
                 topics: tuple[str, ...] = (), route: str = "general",
                 hits: tuple[str, ...] = (), escalate: bool = False) -> Log:
        turn = sum(isinstance(e, ev.MessageReceived) for e in self.events)
        self.add(ev.MessageReceived, m, message_id=f"{self.cid}-{turn}", channel=self.channel,
                 text=text)
        found = tuple(TriggerHit(kind=k, turn=turn, reason=k) for k in hits)
        self.add(ev.DecisionMade, m, turn=turn, escalate=escalate, hits=found,
                 policy_version="v1", assessment=Assessment(topics=topics, route=route,
                                                            sentiment=sentiment))
        if escalate:
            self.add(ev.EscalationTriggered, m, turn=turn, hits=found, policy_version="v1")
        return self

    def handoff(self, m: float, hid: str, queue: str = "general", rule: str = "fallback",
                ) -> Log:
        return self.add(ev.HandoffRouted, m, handoff_id=hid, turn=0, queue=queue, priority=50,
                        rule=rule, reason="", fallback=rule == "fallback",
                        policy_version="v1")

    def human(self, m: float) -> Log:
        return self.add(ev.HumanReplied, m, message_id=f"h{m}", text="Hello, I'm Ana",
                        author="ana")

    def resolve(self, m: float, hid: str, queue: str = "general") -> Log:
        return self.add(ev.HandoffResolved, m, handoff_id=hid, by="ana", queue=queue)


def _escalated(cid: str, hid: str, wait: float, *, rule: str = "refunds_to_billing",
               queue: str = "billing", trigger: str = "money_risk", **kw: Any) -> Log:
    return (Log(cid, **kw).customer(0, "refund now", hits=(trigger,), escalate=True,
                                    route=queue)
            .handoff(0, hid, queue, rule).human(wait).resolve(wait + 10, hid, queue))


def test_percentile_is_nearest_rank() -> None:
    assert percentile([], 50) is None
    assert percentile([5.0], 90) == 5.0
    assert percentile([1, 2, 3, 4], 50) == 2
    assert percentile(list(range(1, 11)), 90) == 9
    assert percentile(list(range(1, 11)), 91) == 10


def test_time_to_human_runs_from_routing_to_the_first_human_message() -> None:
    log = _escalated("c1", "h1", 4)
    log.human(6)  # a second message does not move it
    [facts] = extract_handoffs("c1", log.events)
    assert facts.time_to_human == 240 and facts.lane == "refunds_to_billing"
    assert facts.triggers == ("money_risk",) and facts.route == "billing"


def test_time_to_human_has_median_and_p90_per_lane_and_queue() -> None:
    logs = [_escalated(f"c{i}", f"h{i}", i) for i in range(1, 11)]
    logs.append(_escalated("v", "hv", 0.5, rule="vip", queue="priority"))
    m = compute({x.cid: x.events for x in logs}, now=T0 + timedelta(days=1))
    assert m.time_to_human.n == 11
    billing = m.time_to_human_by_queue["billing"]
    assert (billing.n, billing.median, billing.p90) == (10, 300, 540)
    assert m.time_to_human_by_lane["vip"].median == 30
    assert m.time_to_human.median == 300  # 30, 60, 120 .. 600 s: the 6th of 11


def test_a_handoff_nobody_answered_is_counted_not_timed() -> None:
    log = Log("c").customer(0, "human!", hits=("human_request",), escalate=True).handoff(0, "h")
    m = compute({"c": log.events}, now=T0 + timedelta(days=1))
    assert m.unanswered == 1 and m.time_to_human.n == 0 and m.time_to_human.median is None


def test_every_handoff_counts_for_re_escalation_including_second_ones() -> None:
    # c1: transferred (re-escalated) and later a second handoff that is clean
    c1 = _escalated("c1", "h1", 1)
    c1.add(ev.HandoffTransferred, 5, handoff_id="h1", by="ana", from_queue="billing",
           to_queue="retention", reason="wrong team", priority=50)
    c1.customer(60, "another thing", hits=("human_request",), escalate=True)
    c1.handoff(60, "h1b").human(61).resolve(70, "h1b")
    c2 = _escalated("c2", "h2", 1)  # clean
    m = compute({"c1": c1.events, "c2": c2.events}, now=T0 + timedelta(days=30))
    # h1 is re-escalated twice over (transferred; and h1b followed within 7 days): once
    assert m.re_escalated == ["h1"] and (m.re_escalation.numerator,
                                         m.re_escalation.denominator) == (1, 3)


def test_the_same_customer_coming_back_within_n_days_reopens_the_handoff() -> None:
    first = _escalated("a", "ha", 1, customer="cust-1")
    back = _escalated("b", "hb", 1, customer="cust-1", start=T0 + timedelta(days=3))
    late = _escalated("c", "hc", 1, customer="cust-1", start=T0 + timedelta(days=20))
    m = compute({x.cid: x.events for x in (first, back, late)}, now=T0 + timedelta(days=40))
    assert m.re_escalated == ["ha"]
    narrow = compute({x.cid: x.events for x in (first, back)}, now=T0 + timedelta(days=40),
                     reopen_within=timedelta(days=1))
    assert narrow.re_escalated == []


def test_escalation_rates_by_channel_trigger_and_route_and_the_fallback_share() -> None:
    logs = [
        _escalated("w1", "h1", 1, channel="whatsapp"),
        _escalated("w2", "h2", 1, channel="whatsapp", rule="fallback", queue="general",
                   trigger="human_request"),
        Log("w3", channel="whatsapp").customer(0, "where is it", route="fulfilment"),
        Log("e1", channel="email").customer(0, "hello", route="general"),
    ]
    m = compute({x.cid: x.events for x in logs}, now=T0 + timedelta(days=1))
    assert m.escalation_by_channel["whatsapp"].value == 2 / 3
    assert m.escalation_by_channel["email"].value == 0
    assert m.escalation_by_trigger["money_risk"].value == 1 / 4
    assert m.escalation_by_trigger["human_request"].value == 1 / 4
    assert m.escalation_by_route["billing"].value == 1.0
    assert m.escalation_by_route["general"].value == 1 / 2
    assert m.escalation_by_route["fulfilment"].value == 0
    assert m.fallback_share.value == 1 / 2


def test_csat_is_read_by_event_name_with_the_response_rate_over_resolved_handoffs() -> None:
    a = _escalated("a", "ha", 1).add(CsatReceived, 30, message_id="a-csat", score=5)
    b = _escalated("b", "hb", 1, rule="vip", trigger="negative_emotion").add(
        CsatReceived, 30, message_id="b-csat", score=2, handoff_id="hb")
    c = _escalated("c", "hc", 1)  # resolved, never answered
    d = Log("d").customer(0, "x", hits=("human_request",), escalate=True).handoff(0, "hd")
    assert csat_answers(a.events)[0].handoff_id == "ha"  # attributed to the latest handoff
    m = compute({x.cid: x.events for x in (a, b, c, d)}, now=T0 + timedelta(days=1))
    assert m.csat_mean == 3.5
    assert (m.csat_response.numerator, m.csat_response.denominator) == (2, 3)
    assert m.csat_by_trigger == {"money_risk": 5.0, "negative_emotion": 2.0}
    assert m.csat_by_lane == {"refunds_to_billing": 5.0, "vip": 2.0}


def test_seam_leaks_count_per_handoff() -> None:
    a = _escalated("a", "ha", 1).add(
        SeamLeakDetected, 2, handoff_id="ha", turn=2, who="customer", item="order_number").add(
        SeamLeakDetected, 3, handoff_id=None, turn=3, who="human", item="problem")
    b = _escalated("b", "hb", 1)
    assert [x.kind for x in seam_leaks(a.events)] == ["customer:order_number", "human:problem"]
    m = compute({"a": a.events, "b": b.events}, now=T0 + timedelta(days=1))
    assert m.leaks_per_handoff == 1.0 and m.handoffs_with_leak.value == 1 / 2


def test_a_conversation_ending_angry_without_a_handoff_is_a_missed_escalation() -> None:
    log = Log("m").customer(0, "ok").customer(2, "this is useless, awful", sentiment=-0.8)
    miss = missed_escalation("m", log.events, now=T0 + timedelta(days=1))
    assert miss is not None and miss.reasons == ("final_negative",)


def test_leaving_after_a_below_the_bar_trigger_is_abandonment_after_a_miss() -> None:
    log = Log("m").customer(0, "I want my money back", hits=("money_risk",))
    log.add(ev.AgentReplied, 0.1, message_id="a1", text="Here is our policy", confidence=0.9)
    assert missed_escalation("m", log.events, now=T0 + timedelta(minutes=10)) is None  # idle
    miss = missed_escalation("m", log.events, now=T0 + timedelta(hours=2))
    assert miss is not None and miss.reasons == ("abandoned_after_miss",)


def test_an_unsure_last_reply_then_silence_is_abandonment_after_a_miss() -> None:
    log = Log("m").customer(0, "can you do gift wrapping in teal")
    log.add(ev.AgentReplied, 0.1, message_id="a1", text="Maybe?", confidence=0.2)
    miss = missed_escalation("m", log.events, now=T0 + timedelta(hours=2))
    assert miss is not None and miss.reasons == ("abandoned_after_miss",)


def test_a_complaint_from_the_same_customer_later_marks_the_earlier_one_missed() -> None:
    first = Log("a", customer="cust-9").customer(0, "where is my parcel")
    first.add(ev.AgentReplied, 0.1, message_id="a1", text="On its way", confidence=0.9)
    later = Log("b", customer="cust-9", start=T0 + timedelta(days=2)).customer(
        0, "I want to complain", topics=("complaint",))
    m = compute({"a": first.events, "b": later.events}, now=T0 + timedelta(days=3))
    assert [(x.conversation_id, x.reasons) for x in m.missed] == [("a", ("later_complaint",))]
    assert m.missed_by_reason == {"later_complaint": 1}
    assert (m.missed_rate.numerator, m.missed_rate.denominator) == (1, 2)


def test_a_conversation_that_escalated_is_never_a_missed_one() -> None:
    log = _escalated("a", "ha", 1)
    log.customer(30, "still awful", sentiment=-0.9)
    assert missed_escalation("a", log.events, now=T0 + timedelta(days=1)) is None
