"""Chatwoot outbound against a local fake Application API: replies, notes, hand-off, take-back."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.fake_channels import FakeChatwoot, Scripted, serve

from warmline.adapters.channels.base import RetryPolicy
from warmline.adapters.channels.chatwoot import ChatwootSettings
from warmline.adapters.channels.chatwoot_client import ChatwootClient
from warmline.domain.seam.channels import (
    HANDOFF_BUTTON_ID,
    Address,
    Button,
    DeliveryUncertainError,
    PermanentSendError,
    RetryableSendError,
    Template,
)

THREAD = "cw-1-10"
TO = Address("chatwoot", "10")


@pytest.fixture
def chatwoot() -> Iterator[FakeChatwoot]:
    fake = FakeChatwoot()
    with serve(fake):
        yield fake


def client_for(fake: FakeChatwoot, *, bot_token: str = "bot-token", api_token: str = "",
               timeout: float = 5.0, sleeps: list[float] | None = None) -> ChatwootClient:
    settings = ChatwootSettings(url=fake.url, account_id="1", bot_token=bot_token,
                                api_token=api_token)
    return ChatwootClient(settings, retry=RetryPolicy(attempts=3, jitter=False),
                          sleep=(sleeps if sleeps is not None else []).append, timeout=timeout)


def test_a_reply_is_an_outgoing_public_message_sent_with_the_bots_token(
        chatwoot: FakeChatwoot) -> None:
    message_id = client_for(chatwoot).send_text(TO, "Your order ships tomorrow.", key="r1")
    [request] = chatwoot.requests
    assert request["path"] == "/api/v1/accounts/1/conversations/10/messages"
    assert request["headers"]["api_access_token"] == "bot-token"
    assert request["json"] == {"message_type": "outgoing", "private": False,
                               "content": "Your order ships tomorrow."}
    assert message_id == str(chatwoot.messages[10][0]["id"])


def test_a_private_note_is_invisible_to_the_customer(chatwoot: FakeChatwoot) -> None:
    client_for(chatwoot).post_note(THREAD, "Context: refund of €184 on #1043", key="note-1")
    assert chatwoot.requests[0]["json"]["private"] is True
    assert chatwoot.messages[10][0]["private"] is True


def test_buttons_are_an_input_select_with_items(chatwoot: FakeChatwoot) -> None:
    client_for(chatwoot).send_buttons(
        TO, "Anything else?", [Button(HANDOFF_BUTTON_ID, "Talk to a person")], key="b1")
    body = chatwoot.requests[0]["json"]
    assert body["content_type"] == "input_select"
    assert body["content_attributes"] == {
        "items": [{"title": "Talk to a person", "value": "warmline:human"}]}


def test_a_template_goes_as_template_params(chatwoot: FakeChatwoot) -> None:
    client_for(chatwoot).send_template(TO, Template("we_are_back", "en", ("Ana",)), key="t1")
    assert chatwoot.requests[0]["json"]["template_params"] == {
        "name": "we_are_back", "language": "en", "processed_params": {"1": "Ana"}}


def test_hand_off_assigns_the_routed_team_then_opens_the_conversation(
        chatwoot: FakeChatwoot) -> None:
    client_for(chatwoot).hand_off(THREAD, team_id=4)
    assert [r["path"].rsplit("/", 1)[1] for r in chatwoot.requests] == [
        "assignments", "toggle_status"]
    assert chatwoot.requests[0]["json"] == {"team_id": 4}
    assert chatwoot.requests[1]["json"] == {"status": "open"}
    assert chatwoot.team[10] == 4 and chatwoot.status[10] == "open"


def test_hand_off_without_a_team_only_opens(chatwoot: FakeChatwoot) -> None:
    client_for(chatwoot).hand_off(THREAD, team_id=None)
    assert len(chatwoot.requests) == 1 and chatwoot.status[10] == "open"


def test_take_back_returns_the_conversation_to_pending(chatwoot: FakeChatwoot) -> None:
    client = client_for(chatwoot)
    client.hand_off(THREAD, team_id=None)
    client.take_back(THREAD)
    assert chatwoot.status[10] == "pending"


def test_on_an_older_chatwoot_the_user_token_assigns_the_team() -> None:
    fake = FakeChatwoot(bot_assignments=False)
    with serve(fake):
        client_for(fake, api_token="user-token").hand_off(THREAD, team_id=2)
    tokens = [r["headers"]["api_access_token"] for r in fake.requests]
    assert tokens == ["bot-token", "user-token", "bot-token"]
    assert fake.team[10] == 2 and fake.status[10] == "open"


def test_without_a_user_token_a_refused_assignment_is_permanent() -> None:
    fake = FakeChatwoot(bot_assignments=False)
    with serve(fake), pytest.raises(PermanentSendError) as caught:
        client_for(fake).hand_off(THREAD, team_id=2)
    assert caught.value.status == 401
    assert fake.status.get(10) != "open"


def test_a_wrong_bot_token_is_permanent(chatwoot: FakeChatwoot) -> None:
    with pytest.raises(PermanentSendError, match="Invalid Access Token"):
        client_for(chatwoot, bot_token="nope").send_text(TO, "Hi", key="r-401")


def test_status_changes_are_retried_through_a_5xx(chatwoot: FakeChatwoot) -> None:
    chatwoot.fail_next(Scripted(503, {"error": "maintenance"}))
    sleeps: list[float] = []
    client_for(chatwoot, sleeps=sleeps).take_back(THREAD)
    assert chatwoot.status[10] == "pending" and sleeps == [0.5]


def test_a_message_that_timed_out_is_uncertain_and_not_posted_again(
        chatwoot: FakeChatwoot) -> None:
    chatwoot.fail_next(Scripted(delay=1.0))
    client = client_for(chatwoot, timeout=0.3)
    with pytest.raises(DeliveryUncertainError):
        client.send_text(TO, "Hi", key="r-slow")
    with pytest.raises(DeliveryUncertainError):
        client.send_text(TO, "Hi", key="r-slow")
    assert len(chatwoot.requests) == 1


def test_rate_limited_messages_are_retried_and_posted_once(chatwoot: FakeChatwoot) -> None:
    chatwoot.fail_next(Scripted(429, {"error": "slow down"}, headers={"retry-after": "1"}))
    client = client_for(chatwoot)
    client.send_text(TO, "Hi", key="r-429")
    client.send_text(TO, "Hi", key="r-429")
    assert len(chatwoot.messages[10]) == 1 and len(chatwoot.requests) == 2


def test_retries_that_run_out_raise_retryable(chatwoot: FakeChatwoot) -> None:
    chatwoot.fail_next(*[Scripted(429, {"error": "slow down"})] * 3)
    with pytest.raises(RetryableSendError):
        client_for(chatwoot).send_text(TO, "Hi", key="r-out")


def test_a_thread_that_is_not_chatwoots_is_refused_before_any_request(
        chatwoot: FakeChatwoot) -> None:
    with pytest.raises(ValueError):
        client_for(chatwoot).post_note("wa-16505551234", "note", key="n-x")
    assert chatwoot.requests == []


def test_the_client_needs_url_account_and_bot_token() -> None:
    with pytest.raises(ValueError, match="CHATWOOT_URL"):
        ChatwootClient(ChatwootSettings(url="http://127.0.0.1:9", account_id="1"))
