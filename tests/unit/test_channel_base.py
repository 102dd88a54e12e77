"""The shared outbound rules: at most once per key, retry only what was certainly not sent."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from warmline.adapters.channels.base import (
    UNCERTAIN,
    MemorySentLog,
    RetryPolicy,
    SendOnce,
    Throttled,
    epoch_to_datetime,
    same_secret,
    with_retries,
)
from warmline.domain.seam.channels import (
    Address,
    DeliveryUncertainError,
    MediaReceived,
    RetryableSendError,
)


def test_a_key_already_sent_returns_the_first_id_without_sending_again() -> None:
    once, calls = SendOnce(MemorySentLog()), []

    def send() -> str:
        calls.append(1)
        return f"id-{len(calls)}"

    assert once("k1", send) == "id-1"
    assert once("k1", send) == "id-1"
    assert calls == [1]


def test_an_uncertain_send_is_never_repeated_until_a_receipt_settles_it() -> None:
    log = MemorySentLog()
    once = SendOnce(log)

    def unsure() -> str:
        raise DeliveryUncertainError("timeout after sending")

    with pytest.raises(DeliveryUncertainError):
        once("k2", unsure)
    assert log.get("k2") == UNCERTAIN
    with pytest.raises(DeliveryUncertainError, match="not resending"):
        once("k2", lambda: "must-not-send")
    once.settle("k2", "wamid.settled")
    assert once("k2", lambda: "must-not-send") == "wamid.settled"


def test_a_send_that_was_refused_may_be_tried_again_with_the_same_key() -> None:
    once = SendOnce(MemorySentLog())

    def refused() -> str:
        raise RetryableSendError("rate limited")

    with pytest.raises(RetryableSendError):
        once("k3", refused)
    assert once("k3", lambda: "id-after") == "id-after"


def test_concurrent_sends_of_one_key_reach_the_platform_once() -> None:
    once, calls, gate = SendOnce(MemorySentLog()), [], threading.Event()

    def slow() -> str:
        calls.append(1)
        gate.wait(1)
        return "only"

    threads = [threading.Thread(target=lambda: once("same", slow)) for _ in range(8)]
    for t in threads:
        t.start()
    gate.set()
    for t in threads:
        t.join()
    assert calls == [1]


def test_an_empty_key_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        SendOnce(MemorySentLog())("", lambda: "x")


def test_retries_back_off_and_give_up_after_the_policy_attempts() -> None:
    sleeps: list[float] = []
    attempts: list[int] = []

    def always_throttled() -> str:
        attempts.append(1)
        raise Throttled("429", retry_after=None)

    policy = RetryPolicy(attempts=3, base_delay=0.5, jitter=False)
    with pytest.raises(RetryableSendError) as caught:
        with_retries(always_throttled, policy, sleeps.append)
    assert len(attempts) == 3 and sleeps == [0.5, 1.0]
    assert caught.value.attempts == 3


def test_retry_after_from_the_platform_wins_over_a_shorter_backoff() -> None:
    assert RetryPolicy(jitter=False).delay(1, retry_after=5.0) == 5.0
    assert RetryPolicy(jitter=False, max_delay=8).delay(10) == 8.0


def test_uncertain_outcomes_are_not_retried() -> None:
    calls: list[int] = []

    def unsure() -> str:
        calls.append(1)
        raise DeliveryUncertainError("read timeout")

    with pytest.raises(DeliveryUncertainError):
        with_retries(unsure, RetryPolicy(attempts=4), lambda _: None)
    assert calls == [1]


def test_constant_time_compare_and_epoch_parsing() -> None:
    assert same_secret("abc", b"abc") and not same_secret("abc", "abd")
    assert epoch_to_datetime("1749416383") == datetime.fromtimestamp(1749416383, UTC)
    assert epoch_to_datetime("soon") is None and epoch_to_datetime(True) is None


def test_the_window_is_open_for_24_hours_after_the_customers_last_message() -> None:
    now = datetime(2026, 3, 1, 12, tzinfo=UTC)
    fresh = Address("whatsapp", "1", last_inbound_at=now - timedelta(hours=23, minutes=59))
    stale = Address("whatsapp", "1", last_inbound_at=now - timedelta(hours=24))
    assert fresh.window_open(now) and not stale.window_open(now)
    assert not Address("whatsapp", "1").window_open(now)


def test_media_reads_as_a_labelled_line_in_the_transcript() -> None:
    media = MediaReceived(channel="whatsapp", message_id="m", conversation_id="wa-1",
                          contact_id="1", kind="audio", media_id="9")
    assert media.as_text() == "[audio]"


def test_the_memory_twin_keeps_the_ports_promises() -> None:
    from warmline.adapters.channels.memory import MemoryChannel
    from warmline.domain.seam.channels import Button, Template, WindowClosedError

    now = datetime(2026, 3, 1, 12, tzinfo=UTC)
    twin = MemoryChannel("whatsapp", windowed=True, now=lambda: now)
    fresh = Address("whatsapp", "1", last_inbound_at=now - timedelta(hours=1))
    stale = Address("whatsapp", "1", last_inbound_at=now - timedelta(days=2))
    first = twin.send_buttons(fresh, "Anything else?", [Button("warmline:human", "Talk")],
                              key="k")
    assert twin.send_buttons(fresh, "Anything else?", [], key="k") == first
    with pytest.raises(WindowClosedError):
        twin.send_text(stale, "Hello", key="k2")
    twin.send_template(stale, Template("we_are_back"), key="k3")
    twin.post_note("cw-1-10", "context", key="n")
    twin.hand_off("cw-1-10", team_id=4)
    twin.take_back("cw-1-10")
    assert [s.kind for s in twin.sent] == ["buttons", "template", "note", "hand_off",
                                           "take_back"]
