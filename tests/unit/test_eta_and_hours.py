"""Wait estimates from live figures, and opening hours in the schedule's own zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from warmline.domain.policy import Policy
from warmline.domain.routing.eta import (
    Staffing,
    WaitEstimate,
    estimate_wait,
    shared_queues,
    with_cascade,
)
from warmline.domain.routing.hours import closes_at, is_open, next_open
from warmline.domain.routing.policy import Schedule
from warmline.domain.routing.queueing import HumanAgent, Presence

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
RP = Policy(version="t").routing
TEAM = Staffing(agents_online=2, capacity=4, busy=4, handle_seconds=480.0)


def test_a_free_slot_means_no_wait_beyond_the_offer() -> None:
    est = estimate_wait(Staffing(2, 4, 3, 480.0), ahead=0, now=NOW)
    assert est.seconds == 0 and est.position == 1 and est.minutes == 1


def test_with_every_slot_busy_the_kth_in_line_waits_k_handle_times_over_capacity() -> None:
    assert estimate_wait(TEAM, ahead=0, now=NOW).seconds == 120  # 1 × 480 / 4
    assert estimate_wait(TEAM, ahead=3, now=NOW).seconds == 480  # 4 × 480 / 4
    assert "3 ahead; 2 online with 4 slots, 4 busy" in estimate_wait(TEAM, 3, NOW).basis


def test_nobody_online_gives_no_estimate_rather_than_a_made_up_one() -> None:
    est = estimate_wait(Staffing(0, 0, 0, 480.0), ahead=2, now=NOW)
    assert est.seconds is None and est.minutes is None and "nobody online" in est.basis


def test_out_of_hours_the_estimate_starts_at_the_opening() -> None:
    est = estimate_wait(Staffing(0, 0, 0, 480.0), 0, NOW, opens_at=NOW + timedelta(hours=2))
    assert est.seconds == 7200 and "opens in 120 min" in est.basis


def test_the_estimate_is_capped_where_the_cascade_would_move_the_handoff() -> None:
    def estimate_in(queue: str) -> WaitEstimate:
        return estimate_wait(TEAM if queue == "kitchen" else Staffing(3, 6, 2, 300.0),
                             ahead=20 if queue == "kitchen" else 0, now=NOW)

    capped = with_cascade("kitchen", estimate_in, RP)
    assert capped.seconds == 600  # the kitchen step overflows to general after 10 min
    assert "overflows to general after 10 min" in capped.basis
    assert with_cascade("kitchen", estimate_in, RP, elapsed=540).seconds == 60


def test_queues_that_share_people_weigh_by_the_share_of_capacity_they_give() -> None:
    seniors = HumanAgent("s", "s", frozenset({"senior", "retention"}), frozenset({"en"}), 2,
                         Presence.ONLINE)
    other = HumanAgent("r", "r", frozenset({"retention"}), frozenset({"en"}), 2,
                       Presence.ONLINE)
    weights = shared_queues([seniors, other], "priority", RP)
    assert weights["priority"] == 1.0
    assert weights["retention"] == pytest.approx(0.5)
    assert weights["general"] == pytest.approx(0.5)
    assert "billing" not in weights


BERLIN = Schedule(timezone="Europe/Berlin", days=("mon", "tue", "wed", "thu", "fri"),
                  open="08:00", close="20:00", closed_dates=("2026-12-25",))


def test_hours_are_read_in_the_schedules_zone() -> None:
    assert is_open(BERLIN, datetime(2026, 11, 25, 7, 0, tzinfo=UTC))  # 08:00 in Berlin
    assert not is_open(BERLIN, datetime(2026, 11, 25, 6, 59, tzinfo=UTC))
    assert not is_open(BERLIN, datetime(2026, 11, 25, 19, 0, tzinfo=UTC))  # 20:00 closes


def test_next_opening_skips_weekends_and_closed_dates_across_daylight_saving() -> None:
    friday_night = datetime(2026, 12, 24, 20, 0, tzinfo=UTC)  # Thu 21:00; Fri is Christmas
    assert next_open(BERLIN, friday_night) == datetime(2026, 12, 28, 7, 0, tzinfo=UTC)
    before_dst = datetime(2027, 3, 26, 20, 0, tzinfo=UTC)  # Fri; clocks go forward Sunday
    assert next_open(BERLIN, before_dst) == datetime(2027, 3, 29, 6, 0, tzinfo=UTC)
    open_now = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    assert next_open(BERLIN, open_now) == open_now
    assert closes_at(BERLIN, open_now) == datetime(2026, 11, 25, 19, 0, tzinfo=UTC)


def test_a_schedule_open_around_the_clock_never_closes() -> None:
    always = Schedule()
    assert is_open(always, NOW) and next_open(always, NOW) == NOW
    assert closes_at(always, NOW) == datetime(2026, 11, 26, 0, 0, tzinfo=UTC)
