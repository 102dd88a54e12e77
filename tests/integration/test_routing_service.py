"""A handoff's life through the message bus, on real SQLite and PostgreSQL.

Escalate → routed and queued in the same commit → offered or claimed → confirmed →
released, transferred or resolved; waiting handoffs climb the cascade; out of hours
they wait for the opening. Time is a clock the test moves, never the wall clock.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from warmline.adapters.commerce.memory import MemoryCommerceRecord
from warmline.adapters.signals.lexical import LexicalSignals
from warmline.adapters.storage.engine import make_engine
from warmline.adapters.storage.migrate import upgrade
from warmline.bootstrap import Warmline, bootstrap
from warmline.config import Config
from warmline.domain import commands as cmd
from warmline.domain import errors as err
from warmline.domain import events as ev
from warmline.domain.policy import Policy
from warmline.domain.record.commerce import (
    Customer,
    LineItem,
    Order,
    Product,
    ProductLine,
    RecordBatch,
)
from warmline.domain.routing.queueing import Handoff, HandoffState

WEDNESDAY = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # 10:00 in Berlin: open
RECORD = RecordBatch(
    product_lines=[ProductLine("kitchen", "Kitchen appliances", "team-kitchen")],
    products=[Product("KIT-BLD-01", "Aurora Blender", "kitchen", 184.0)],
    customers=[Customer("c-jana", "Jana Weiss", language="de", tags=("vip",),
                        lifetime_value=3200.0),
               Customer("c-sam", "Sam Reed", language="en", lifetime_value=120.0)],
    orders=[Order("1043", "c-sam", "delivered", 184.0,
                  lines=(LineItem("KIT-BLD-01", "Aurora Blender", 1, 184.0, "kitchen"),))])
ANGRY = "This is the THIRD time it broke, I want to cancel everything!!"


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at

    def advance(self, **kw: float) -> None:
        self.at += timedelta(**kw)


@dataclass
class Desk:
    """The wired application plus helpers that read like the support floor."""

    wl: Warmline
    clock: Clock

    def say(self, cid: str, text: str, customer: str | None = "c-sam") -> dict[str, Any]:
        out = self.wl.bus.handle(cmd.ReceiveCustomerMessage(
            conversation_id=cid, message_id=f"{cid}-{self.clock.now().timestamp()}-{text}",
            text=text, customer_ref=customer))
        assert out.decision is not None
        return out.decision

    def hire(self, aid: str, *skills: str, languages: tuple[str, ...] = ("en", "de"),
             capacity: int = 2, online: bool = True) -> None:
        self.wl.bus.handle(cmd.SaveAgent(agent_id=aid, name=aid.title(), skills=skills,
                                     languages=languages, capacity=capacity))
        if online:
            self.wl.bus.handle(cmd.SetPresence(agent_id=aid, presence="online"))

    def handoff(self, cid: str) -> Handoff:
        with self.wl.uow() as uow:
            h = uow.handoffs.open_for(cid)
        assert h is not None, f"{cid} has no open handoff"
        return h

    def log(self, cid: str, *types: type[ev.Event]) -> list[Any]:
        with self.wl.uow() as uow:
            events = uow.conversations.load(cid)
        return [e for e in events if not types or isinstance(e, types)]

    def mode(self, cid: str) -> str:
        from warmline.domain.model import Conversation

        return Conversation.replay(cid, self.log(cid)).mode.value


def _open(url: str, clock: Clock, policy: Policy | None = None) -> Warmline:
    config = Config.from_env({"WARMLINE_DATABASE_URL": url, "WARMLINE_SWEEP_SECONDS": "0",
                              "WARMLINE_RECORD": "none", "WARMLINE_SIGNALS": "lexical"})
    return bootstrap(config, signals=LexicalSignals(), record=MemoryCommerceRecord(RECORD),
                     clock=clock, policy=policy)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'desk.db'}"
        upgrade(url)
        yield url
        return
    url = request.getfixturevalue("postgres_url")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("TRUNCATE events, inbound_messages, conversations, handoffs, "
                             "agents")
    engine.dispose()
    yield url


@pytest.fixture
def desk(db_url: str) -> Desk:
    clock = Clock(WEDNESDAY)
    return Desk(_open(db_url, clock), clock)


def test_an_escalation_is_routed_and_queued_in_the_same_commit_with_its_reason(
        desk: Desk) -> None:
    assert desk.say("c1", ANGRY, customer="c-jana")["escalate"] is True
    [routed] = desk.log("c1", ev.HandoffRouted)
    assert (routed.queue, routed.rule, routed.fallback) == (
        "priority", "high_value_to_priority_lane", False)
    assert "customer tag vip" in routed.reason and routed.language == "de"
    assert routed.policy_version == desk.wl.policy.version
    assert routed.eta_seconds is None  # nobody online: no promise rather than a wrong one
    h = desk.handoff("c1")
    assert (h.id, h.queue, h.state, h.need_language) == (
        routed.handoff_id, "priority", HandoffState.QUEUED, "de")


def test_a_message_that_does_not_escalate_queues_nothing(desk: Desk) -> None:
    assert desk.say("c1", "where is my parcel?")["escalate"] is False
    assert desk.log("c1", ev.HandoffRouted) == []
    with desk.wl.uow() as uow:
        assert uow.handoffs.open_for("c1") is None


def test_a_new_handoff_is_offered_to_the_best_available_person_then_confirmed(
        desk: Desk) -> None:
    desk.hire("ana", "retention")
    desk.clock.advance(minutes=1)
    desk.hire("bo", "retention")  # equally free, but ana has waited longer for work
    desk.say("c1", ANGRY)
    h = desk.handoff("c1")
    assert (h.state, h.agent_id, h.lease_until) == (
        HandoffState.CLAIMED, "ana", desk.clock.now() + timedelta(seconds=45))
    desk.clock.advance(seconds=20)
    accepted = desk.wl.bus.handle(cmd.ConfirmHandoff(agent_id="ana", handoff_id=h.id))
    assert accepted.state is HandoffState.ASSIGNED
    [fact] = desk.log("c1", ev.HandoffAccepted)
    assert (fact.agent_id, fact.queue, fact.waited_seconds) == ("ana", "retention", 20)
    assert desk.mode("c1") == "human"
    desk.say("c2", ANGRY)
    assert desk.handoff("c2").agent_id == "bo"  # least loaded now


def test_an_offer_not_confirmed_in_time_goes_back_and_then_to_someone_else(
        desk: Desk) -> None:
    desk.hire("ana", "retention")
    desk.clock.advance(seconds=1)
    desk.hire("bo", "retention")
    desk.say("c1", ANGRY)
    first = desk.handoff("c1")
    assert first.agent_id == "ana"
    desk.clock.advance(seconds=46)
    with pytest.raises(err.HandoffConflict, match="ran out"):
        desk.wl.bus.handle(cmd.ConfirmHandoff(agent_id="ana", handoff_id=first.id))
    report = desk.wl.bus.handle(cmd.Sweep())
    assert (report.expired, report.offered) == (1, 1)
    assert desk.handoff("c1").agent_id == "bo"


def test_claiming_respects_priority_capacity_and_presence(db_url: str) -> None:
    clock = Clock(WEDNESDAY)
    pull = Policy.from_mapping({"version": "pull", "routing": {"auto_offer": False}})
    desk = Desk(_open(db_url, clock, pull), clock)
    desk.hire("ana", "retention", "senior", capacity=1)
    desk.say("c-low", ANGRY)
    desk.say("c-vip", ANGRY, customer="c-jana")
    got = desk.wl.bus.handle(cmd.ClaimNext(agent_id="ana"))
    assert got is not None and got.conversation_id == "c-vip"  # priority lane first
    with pytest.raises(err.HandoffConflict, match="capacity"):
        desk.wl.bus.handle(cmd.ClaimNext(agent_id="ana"))
    desk.wl.bus.handle(cmd.SetPresence(agent_id="ana", presence="away"))
    with pytest.raises(err.HandoffConflict, match="away"):
        desk.wl.bus.handle(cmd.ClaimHandoff(agent_id="ana", handoff_id=desk.handoff("c-low").id))
    with pytest.raises(err.AgentNotFound):
        desk.wl.bus.handle(cmd.ClaimNext(agent_id="nobody"))


def test_releasing_an_accepted_handoff_puts_the_customer_back_in_line(desk: Desk) -> None:
    desk.hire("ana", "retention")
    desk.say("c1", ANGRY)
    h = desk.handoff("c1")
    desk.wl.bus.handle(cmd.ConfirmHandoff(agent_id="ana", handoff_id=h.id))
    desk.hire("bo", "retention")
    back = desk.wl.bus.handle(cmd.ReleaseHandoff(agent_id="ana", handoff_id=h.id,
                                             reason="end of shift"))
    assert back.agent_id == "bo" and back.state is HandoffState.CLAIMED  # offered on
    [released] = desk.log("c1", ev.HandoffReleased)
    assert (released.agent_id, released.reason) == ("ana", "end of shift")
    assert desk.mode("c1") == "waiting_for_human"


def test_a_transfer_is_an_event_and_the_context_package_travels_with_it(
        desk: Desk) -> None:
    desk.hire("ana", "retention")
    desk.say("c1", ANGRY)
    h = desk.handoff("c1")
    desk.wl.bus.handle(cmd.ConfirmHandoff(agent_id="ana", handoff_id=h.id))
    moved = desk.wl.bus.handle(cmd.TransferHandoff(handoff_id=h.id, by="ana", to_queue="billing",
                                               reason="needs a refund over my limit"))
    assert (moved.queue, moved.state, moved.transfers) == ("billing", HandoffState.QUEUED, 1)
    assert moved.priority == h.priority + 10 and moved.enqueued_at == h.enqueued_at
    [t] = desk.log("c1", ev.HandoffTransferred)
    assert (t.by, t.from_queue, t.to_queue, t.reason) == (
        "ana", "retention", "billing", "needs a refund over my limit")
    packages = [e for e in desk.log("c1") if type(e).__name__ == "ContextPackaged"]
    assert t.context_package_turn == (packages[-1].turn if packages else None)
    desk.hire("cy", "billing", online=True)
    to_person = desk.wl.bus.handle(cmd.TransferHandoff(handoff_id=h.id, by="lead",
                                                   to_agent="ana", reason="ana knows it"))
    assert (to_person.state, to_person.agent_id) == (HandoffState.CLAIMED, "ana")
    with pytest.raises(err.UnknownTarget) as bad:
        desk.wl.bus.handle(cmd.TransferHandoff(handoff_id=h.id, by="x", to_queue="nowhere",
                                           reason="?"))
    assert bad.value.field == "body.to_queue"


def test_resolving_hands_the_thread_back_and_a_new_escalation_is_a_new_handoff(
        desk: Desk) -> None:
    desk.hire("ana", "retention")
    desk.say("c1", ANGRY)
    first = desk.handoff("c1")
    desk.wl.bus.handle(cmd.ConfirmHandoff(agent_id="ana", handoff_id=first.id))
    done = desk.wl.bus.handle(cmd.ResolveHandoff(handoff_id=first.id, by="ana",
                                             outcome="replacement sent"))
    assert done.state is HandoffState.RESOLVED and desk.mode("c1") == "bot"
    desk.clock.advance(minutes=5)
    desk.say("c1", "It broke AGAIN, this is ridiculous, I want my money back!!")
    routed = desk.log("c1", ev.HandoffRouted)
    assert len(routed) == 2 and routed[0].handoff_id != routed[1].handoff_id
    with pytest.raises(err.HandoffConflict, match="resolved"):
        desk.wl.bus.handle(cmd.ResolveHandoff(handoff_id=first.id, by="ana"))


def test_handing_back_to_the_bot_while_waiting_withdraws_the_handoff(desk: Desk) -> None:
    desk.say("c1", ANGRY)
    h = desk.handoff("c1")
    desk.wl.bus.handle(cmd.HandBackToBot(conversation_id="c1", by="customer",
                                         reason="sorted it myself"))
    [withdrawn] = desk.log("c1", ev.HandoffWithdrawn)
    assert (withdrawn.handoff_id, withdrawn.reason) == (h.id, "sorted it myself")
    with desk.wl.uow() as uow:
        assert uow.handoffs.open_for("c1") is None


def test_a_waiting_handoff_climbs_the_cascade_and_nothing_waits_unseen(desk: Desk) -> None:
    desk.say("c1", ANGRY)  # retention: +10 after 3 min, general after 8; alert at 15
    for minutes, expected in ((3, ["priority"]), (5, ["overflow"]), (7, ["alert"])):
        desk.clock.advance(minutes=minutes, seconds=1)
        desk.wl.bus.handle(cmd.Sweep())
        assert [e.kind for e in desk.log("c1", ev.HandoffEscalated)][-1:] == expected
    h = desk.handoff("c1")
    assert [e.kind for e in desk.log("c1", ev.HandoffEscalated)] == [
        "priority", "overflow", "priority", "alert"]  # general's own step at 8 + 5 min
    assert (h.queue, h.priority, h.alerted) == ("general", 90, True)
    overflow = desk.log("c1", ev.HandoffEscalated)[1]
    assert (overflow.from_queue, overflow.to_queue) == ("retention", "general")


def test_out_of_hours_a_handoff_waits_for_the_opening_and_is_offered_then(
        db_url: str) -> None:
    clock = Clock(datetime(2026, 11, 25, 21, 30, tzinfo=UTC))  # 22:30 in Berlin
    desk = Desk(_open(db_url, clock), clock)
    desk.hire("ana", "retention")
    desk.say("c1", ANGRY)
    [deferred] = desk.log("c1", ev.HandoffDeferred)
    assert (deferred.action, deferred.until) == ("next_open", "2026-11-26T07:00:00+00:00")
    [routed] = desk.log("c1", ev.HandoffRouted)
    assert routed.eta_seconds == 9 * 3600 + 30 * 60  # from the opening
    assert desk.handoff("c1").state is HandoffState.QUEUED  # ana is online, but it waits
    clock.at = datetime(2026, 11, 26, 7, 0, 5, tzinfo=UTC)
    assert desk.wl.bus.handle(cmd.Sweep()).offered == 1
    assert desk.handoff("c1").agent_id == "ana"


def test_the_wait_estimate_follows_the_live_queue(desk: Desk) -> None:
    from warmline.service.views.queues import conversation_handoff

    desk.hire("ana", "retention", capacity=1)
    desk.hire("bo", "retention", capacity=1)
    for cid in ("c1", "c2", "c3", "c4"):
        desk.say(cid, ANGRY)
        desk.clock.advance(seconds=1)
    view = conversation_handoff(desk.wl.uow(), desk.wl.policy, "c4", desk.clock.now())
    assert view is not None
    # 2 people, 1 slot each, both busy; c3 is ahead: 2 × 420 s / 2 slots
    assert (view["position"], view["eta_seconds"], view["eta_minutes"]) == (2, 420, 7)


def test_a_handoff_left_in_a_queue_the_policy_dropped_is_moved_to_the_fallback(
        db_url: str) -> None:
    clock = Clock(WEDNESDAY)
    before = Desk(_open(db_url, clock), clock)
    before.say("c1", ANGRY)  # waits in retention
    renamed = Policy.from_mapping({"version": "2026.12", "routing": {
        "queues": {"general": {"fallback": True}, "saves": {"skills": ["retention"]}},
        "rules": [{"name": "complaints", "queue": "saves",
                   "when": [{"topics": ["complaint"]}]}]}})
    after = Desk(_open(db_url, clock, renamed), clock)
    assert after.wl.bus.handle(cmd.Sweep()).escalated == 1
    assert after.handoff("c1").queue == "general"
    [moved] = after.log("c1", ev.HandoffEscalated)
    assert (moved.from_queue, moved.to_queue) == ("retention", "general")
    assert moved.reason == "queue retention is not in policy 2026.12"


def test_taking_a_handoff_claims_and_accepts_it_in_one_command(db_url: str) -> None:
    clock = Clock(WEDNESDAY)
    pull = Policy.from_mapping({"version": "pull", "routing": {"auto_offer": False}})
    desk = Desk(_open(db_url, clock, pull), clock)
    desk.hire("ana", "retention")
    desk.say("c1", ANGRY)
    taken = desk.wl.bus.handle(cmd.TakeHandoff(agent_id="ana",
                                               handoff_id=desk.handoff("c1").id))
    assert taken is not None and (taken.state, taken.agent_id) == (HandoffState.ASSIGNED,
                                                                   "ana")
    assert [e.agent_id for e in desk.log("c1", ev.HandoffAccepted)] == ["ana"]
    assert desk.wl.bus.handle(cmd.TakeHandoff(agent_id="ana")) is None  # nothing else waits


def test_a_take_that_fails_while_accepting_leaves_the_handoff_unclaimed(
        db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from warmline.service.handlers import handoffs

    clock = Clock(WEDNESDAY)
    pull = Policy.from_mapping({"version": "pull", "routing": {"auto_offer": False}})
    desk = Desk(_open(db_url, clock, pull), clock)
    desk.hire("ana", "retention")
    desk.say("c1", ANGRY)
    before = desk.handoff("c1")

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the customer's greeting could not be written")

    monkeypatch.setattr(handoffs, "person_joins", broken)
    with pytest.raises(RuntimeError):
        desk.wl.bus.handle(cmd.TakeHandoff(agent_id="ana", handoff_id=before.id))
    after = desk.handoff("c1")  # the claim went with the failed accept: one transaction
    assert (after.state, after.agent_id, after.lease_until) == (HandoffState.QUEUED, None,
                                                                None)
    assert desk.log("c1", ev.HandoffAccepted) == []
