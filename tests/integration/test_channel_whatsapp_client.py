"""WhatsApp outbound against a local fake Cloud API: request shape, errors, retries, the window."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from tests.fake_channels import FakeGraph, Scripted, graph_error, serve

from warmline.adapters.channels.base import MemorySentLog, RetryPolicy
from warmline.adapters.channels.whatsapp import WhatsAppSettings
from warmline.adapters.channels.whatsapp_client import WhatsAppClient
from warmline.domain.seam.channels import (
    HANDOFF_BUTTON_ID,
    HANDOFF_BUTTON_TITLE,
    Address,
    Button,
    DeliveryUncertainError,
    PermanentSendError,
    RetryableSendError,
    Template,
    WindowClosedError,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "channels" / "whatsapp"
NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
CUSTOMER = Address("whatsapp", "16505551234", last_inbound_at=NOW - timedelta(minutes=5))
STALE = Address("whatsapp", "16505551234", last_inbound_at=NOW - timedelta(hours=25))


@pytest.fixture
def graph() -> Iterator[FakeGraph]:
    fake = FakeGraph()
    with serve(fake):
        yield fake


def client_for(url: str, *, token: str = "test-access-token", timeout: float = 5.0,
               sleeps: list[float] | None = None, log: MemorySentLog | None = None
               ) -> WhatsAppClient:
    settings = WhatsAppSettings(access_token=token, phone_number_id="106540352242922",
                                api_url=f"{url}/v23.0")
    return WhatsAppClient(settings, log=log, retry=RetryPolicy(attempts=3, jitter=False),
                          sleep=(sleeps if sleeps is not None else []).append,
                          now=lambda: NOW, timeout=timeout)


def fixture(name: str) -> Scripted:
    return Scripted(400, json.loads((FIXTURES / name).read_text()))


def test_text_is_posted_to_the_phone_numbers_messages_edge_with_the_bearer_token(
        graph: FakeGraph) -> None:
    wamid = client_for(graph.url).send_text(CUSTOMER, "Your parcel ships today.", key="k-text")
    assert wamid == "wamid.FAKE000001"
    [request] = graph.requests
    assert request["path"] == "/v23.0/106540352242922/messages"
    assert request["headers"]["authorization"] == "Bearer test-access-token"
    assert request["json"] == {
        "messaging_product": "whatsapp", "recipient_type": "individual", "to": "16505551234",
        "biz_opaque_callback_data": "k-text", "type": "text",
        "text": {"preview_url": False, "body": "Your parcel ships today."}}


def test_reply_buttons_carry_the_one_tap_route_in_metas_interactive_shape(
        graph: FakeGraph) -> None:
    buttons = [Button(HANDOFF_BUTTON_ID, HANDOFF_BUTTON_TITLE), Button("ok", "All good")]
    client_for(graph.url).send_buttons(CUSTOMER, "Anything else?", buttons, key="k-btn")
    body = graph.requests[0]["json"]
    assert body["type"] == "interactive"
    assert body["interactive"] == {
        "type": "button", "body": {"text": "Anything else?"},
        "action": {"buttons": [
            {"type": "reply", "reply": {"id": "warmline:human", "title": "Talk to a person"}},
            {"type": "reply", "reply": {"id": "ok", "title": "All good"}}]}}


@pytest.mark.parametrize(("buttons", "problem"), [
    ([Button(str(i), f"b{i}") for i in range(4)], "1..3"),
    ([Button("x", "A title longer than twenty")], "1..20"),
    ([Button("a", "Same"), Button("b", "Same")], "unique"),
    ([], "1..3"),
])
def test_buttons_over_metas_limits_fail_before_any_request(
        graph: FakeGraph, buttons: list[Button], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        client_for(graph.url).send_buttons(CUSTOMER, "Pick one", buttons, key="k-bad")
    assert graph.requests == []


def test_a_template_names_its_language_and_body_parameters(graph: FakeGraph) -> None:
    template = Template("handoff_update", "en_US", ("Ana", "10 minutes"))
    client_for(graph.url).send_template(STALE, template, key="k-tpl")
    assert graph.requests[0]["json"]["template"] == {
        "name": "handoff_update", "language": {"code": "en_US"},
        "components": [{"type": "body", "parameters": [
            {"type": "text", "text": "Ana"}, {"type": "text", "text": "10 minutes"}]}]}


def test_a_template_with_named_variables_and_quick_replies_is_in_metas_shape(
        graph: FakeGraph) -> None:
    template = Template("warmline_assigned", "de", ("Ana", "retention"),
                        parameter_names=("agent", "team"),
                        quick_replies=("warmline:human",))
    client_for(graph.url).send_template(STALE, template, key="k-named")
    assert graph.requests[0]["json"]["template"]["components"] == [
        {"type": "body", "parameters": [
            {"type": "text", "parameter_name": "agent", "text": "Ana"},
            {"type": "text", "parameter_name": "team", "text": "retention"}]},
        {"type": "button", "sub_type": "quick_reply", "index": "0",
         "parameters": [{"type": "payload", "payload": "warmline:human"}]}]


def test_outside_the_24_hour_window_free_text_is_refused_before_calling_meta(
        graph: FakeGraph) -> None:
    with pytest.raises(WindowClosedError):
        client_for(graph.url).send_text(STALE, "Hello again", key="k-stale")
    assert graph.requests == []


def test_reply_sends_the_template_outside_the_window_and_text_inside(graph: FakeGraph) -> None:
    client = client_for(graph.url)
    template = Template("we_are_back", "en")
    client.reply(STALE, "Hello again", key="k-r1", outside_window=template)
    client.reply(CUSTOMER, "Hello", key="k-r2", outside_window=template)
    assert [r["json"]["type"] for r in graph.requests] == ["template", "text"]
    assert graph.requests[0]["json"]["biz_opaque_callback_data"] == "k-r1:template"


def test_reply_falls_back_to_the_template_when_meta_answers_131047(graph: FakeGraph) -> None:
    graph.fail_next(fixture("error_131047.json"))
    client = client_for(graph.url)
    wamid = client.reply(Address("whatsapp", "16505551234"), "Hello", key="k-131047",
                         outside_window=Template("we_are_back"))
    assert wamid.startswith("wamid.FAKE")
    assert [r["json"]["type"] for r in graph.requests] == ["text", "template"]


def test_a_repeated_key_is_not_sent_twice(graph: FakeGraph) -> None:
    client = client_for(graph.url)
    first = client.send_text(CUSTOMER, "Once", key="k-once")
    assert client.send_text(CUSTOMER, "Once", key="k-once") == first
    assert len(graph.requests) == 1


def test_rate_limits_are_retried_with_backoff_then_succeed(graph: FakeGraph) -> None:
    graph.fail_next(fixture("error_130429.json"), graph_error(131056, "pair rate limit"))
    sleeps: list[float] = []
    wamid = client_for(graph.url, sleeps=sleeps).send_text(CUSTOMER, "Hi", key="k-429")
    assert wamid == "wamid.FAKE000001" and len(graph.requests) == 3
    assert sleeps == [0.5, 1.0]


def test_retries_that_run_out_raise_a_retryable_error(graph: FakeGraph) -> None:
    graph.fail_next(*[Scripted(429, None, headers={"retry-after": "2"})] * 3)
    sleeps: list[float] = []
    with pytest.raises(RetryableSendError) as caught:
        client_for(graph.url, sleeps=sleeps).send_text(CUSTOMER, "Hi", key="k-out")
    assert caught.value.attempts == 3 and sleeps == [2.0, 2.0]


def test_a_refused_parameter_is_permanent_and_not_retried(graph: FakeGraph) -> None:
    graph.fail_next(fixture("error_100.json"))
    with pytest.raises(PermanentSendError) as caught:
        client_for(graph.url).send_text(CUSTOMER, "Hi", key="k-100")
    assert caught.value.code == 100 and len(graph.requests) == 1


def test_a_wrong_access_token_is_permanent(graph: FakeGraph) -> None:
    with pytest.raises(PermanentSendError) as caught:
        client_for(graph.url, token="expired").send_text(CUSTOMER, "Hi", key="k-190")
    assert caught.value.code == 190 and caught.value.status == 401


def test_a_timeout_after_sending_is_uncertain_and_never_resent(graph: FakeGraph) -> None:
    graph.fail_next(Scripted(delay=1.0))
    client = client_for(graph.url, timeout=0.3)
    with pytest.raises(DeliveryUncertainError):
        client.send_text(CUSTOMER, "Maybe", key="k-slow")
    with pytest.raises(DeliveryUncertainError):
        client.send_text(CUSTOMER, "Maybe", key="k-slow")
    assert len(graph.requests) == 1  # Meta got it once; a retry could have doubled it


def test_a_5xx_page_without_a_graph_error_is_uncertain(graph: FakeGraph) -> None:
    graph.fail_next(Scripted(502, "<html>Bad gateway</html>"))
    with pytest.raises(DeliveryUncertainError):
        client_for(graph.url).send_text(CUSTOMER, "Hi", key="k-502")
    assert len(graph.requests) == 1


def test_a_503_page_is_retried_because_the_service_took_nothing(graph: FakeGraph) -> None:
    graph.fail_next(Scripted(503, "<html>Service Unavailable</html>"))
    sleeps: list[float] = []
    wamid = client_for(graph.url, sleeps=sleeps).send_text(CUSTOMER, "Hi", key="k-503")
    assert wamid == "wamid.FAKE000001" and len(graph.requests) == 2 and len(sleeps) == 1


def test_a_refused_connection_is_retried_because_nothing_was_sent() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, never listening: connections are refused
        sleeps: list[float] = []
        with pytest.raises(RetryableSendError):
            client_for(f"http://127.0.0.1:{port}", sleeps=sleeps).send_text(
                CUSTOMER, "Hi", key="k-conn")
    assert len(sleeps) == 2


def test_the_request_shape_is_checked_with_a_mock_transport_too() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=json.loads((FIXTURES / "send_response.json").read_text()))

    settings = WhatsAppSettings(access_token="t", phone_number_id="42",
                                api_url="https://graph.facebook.com/v23.0")
    client = WhatsAppClient(settings, http=httpx.Client(transport=httpx.MockTransport(handler)),
                            now=lambda: NOW)
    assert client.send_text(CUSTOMER, "Hi", key="k-mock").startswith("wamid.HBgL")
    assert str(seen[0].url) == "https://graph.facebook.com/v23.0/42/messages"
    assert seen[0].headers["content-type"] == "application/json"


def test_sending_needs_a_token_and_a_phone_number_id() -> None:
    with pytest.raises(ValueError, match="ACCESS_TOKEN"):
        WhatsAppClient(WhatsAppSettings())
