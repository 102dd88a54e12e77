"""Warmline's own agent, end to end over HTTP on the demo store: no external agent, no LLM.

It answers from the record (order status with the tracking link, return eligibility)
and the knowledge base, writes what it did as AgentReplied actions, reports intent and
confidence, is judged like any agent reply, and stays quiet when told to or when a human
holds the thread. The optional LLM words its replies and falls back when it fails.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.samples import NOW, sample_batch

from warmline.adapters.agent.kb import KnowledgeBase, KnowledgeError
from warmline.adapters.agent.llm import LlmAgent, OpenAICompatibleModel
from warmline.adapters.agent.reference import ReferenceAgent
from warmline.adapters.commerce.memory import MemoryCommerceRecord
from warmline.adapters.signals.lexical import LexicalSignals
from warmline.domain import events as ev
from warmline.domain.model import Conversation
from warmline.domain.policy import Policy


def say(client: TestClient, cid: str, n: int, text: str, **extra: Any) -> dict[str, Any]:
    r = client.post(f"/v1/conversations/{cid}/messages",
                    json={"message_id": f"{cid}-{n}", "text": text, **extra})
    assert r.status_code in (200, 201), r.text
    return r.json()  # type: ignore[no-any-return]


def test_order_status_is_answered_from_the_live_record_with_the_tracking_link(
        demo_client: TestClient) -> None:
    out = say(demo_client, "os", 0, "Hi, where is my order #2300?", customer_ref="c-2300")
    reply = out["reply"]
    assert reply["intent"] == "order_status" and reply["confidence"] >= 0.9
    assert "https://track.hearthwell.example/ups/2300" in reply["text"]
    assert reply["actions"] == ["looked_up_order:2300", "sent_tracking_link:2300"]
    assert reply["turn"] == 1 and reply["decision"]["escalate"] is False
    events = demo_client.get("/v1/conversations/os").json()["events"]
    replied = [e for e in events if e["type"] == "AgentReplied"]
    assert replied[0]["actions"] == reply["actions"]  # what it did is in the log


def test_return_eligibility_uses_the_delivery_date_and_the_window(
        demo_client: TestClient) -> None:
    reply = say(demo_client, "rt", 0, "can I return the shirt from order 6301?",
                customer_ref="c-6300")["reply"]
    assert reply["intent"] == "return_eligibility"
    assert "you can return it until" in reply["text"]
    assert reply["actions"][0] == "checked_return_eligibility:6301"


def test_policy_questions_are_answered_from_the_knowledge_base(
        demo_client: TestClient) -> None:
    reply = say(demo_client, "kb", 0, "Do you ship to Austria?")["reply"]
    assert reply["intent"] == "shipping_countries"
    assert reply["actions"] == ["answered_from_kb:shipping-countries"]
    assert "Switzerland" in reply["text"]


def test_an_unmappable_message_gets_an_honest_low_confidence_reply(
        demo_client: TestClient) -> None:
    first = say(demo_client, "lc", 0, "I need the thing for the other one from before")
    assert first["reply"]["intent"] == "fallback" and first["reply"]["confidence"] < 0.45
    second = say(demo_client, "lc", 2, "you know, the gadget, for my other device")
    decision = second["reply"]["decision"]  # judged like any agent reply
    assert decision["escalate"] and {t["kind"] for t in decision["triggers"]} & {
        "low_confidence", "looping"}
    package = demo_client.get("/v1/conversations/lc/context").json()["package"]
    assert "was unsure" in package["summary"]["tried"]


def test_reply_false_leaves_the_answer_to_your_own_agent(demo_client: TestClient) -> None:
    out = say(demo_client, "ext", 0, "Do you ship to Austria?", reply=False)
    assert out["reply"] is None
    assert [t["role"] for t in demo_client.get("/v1/conversations/ext").json()["turns"]] \
        == ["customer"]


def test_a_retried_message_gets_the_same_reply_and_nothing_new_is_stored(
        demo_client: TestClient) -> None:
    first = say(demo_client, "dup", 0, "Do you ship to Austria?")
    again = say(demo_client, "dup", 0, "Do you ship to Austria?")
    assert again["duplicate"] and again["reply"]["text"] == first["reply"]["text"]
    turns = demo_client.get("/v1/conversations/dup").json()["turns"]
    assert [t["role"] for t in turns] == ["customer", "agent"]


def test_no_bot_reply_once_the_conversation_is_handed_over(demo_client: TestClient) -> None:
    assert say(demo_client, "ho", 0, "get me a human")["decision"]["escalate"]
    assert say(demo_client, "ho", 1, "hello? where is everyone")["reply"] is None


def test_a_knowledge_file_is_validated_naming_the_article() -> None:
    with pytest.raises(KnowledgeError, match=r"articles\[1\]\.answer"):
        KnowledgeBase.from_mapping({"articles": [
            {"id": "a", "intent": "x", "answer": "y"}, {"id": "b", "intent": "x"}]})


# --- the optional LLM backend, against a local OpenAI-compatible fake ---------------------

class FakeLlm:
    def __init__(self) -> None:
        self.mode, self.bodies, self.url = "ok", [], ""


@pytest.fixture
def llm() -> Iterator[FakeLlm]:
    fake = FakeLlm()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:  # the stdlib's name for POST
            body = json.loads(self.rfile.read(int(self.headers["content-length"])))
            fake.bodies.append(body)
            if fake.mode == "slow":
                time.sleep(1.0)
            status, out = (500, b"{}") if fake.mode == "error" else (200, json.dumps(
                {"choices": [{"message": {"role": "assistant",
                                          "content": "Your parcel is on its way! 📦"}}]}
            ).encode())
            try:
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client timed out first (the "slow" test): that is the point

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield fake
    server.shutdown()
    server.server_close()


def _conversation(text: str, ref: str = "c-2002") -> Conversation:
    return Conversation.replay("llm", [
        ev.ConversationStarted(conversation_id="llm", occurred_at=NOW, channel="web",
                               customer_ref=ref),
        ev.MessageReceived(conversation_id="llm", occurred_at=NOW, message_id="1",
                           channel="web", text=text)])


def _llm_agent(url: str, timeout: float = 2.0) -> LlmAgent:
    reference = ReferenceAgent(KnowledgeBase.load(), LexicalSignals(),
                               lambda: Policy(version="t"))
    return LlmAgent(OpenAICompatibleModel(url, "tiny-model", api_key="k", timeout=timeout),
                    reference)


def test_the_llm_words_the_reply_grounded_in_the_reference_agents_facts(llm: FakeLlm) -> None:
    record = MemoryCommerceRecord(sample_batch()).customer_record("c-2002")
    draft = _llm_agent(llm.url).reply(_conversation("where is my order 2077?"), record,
                                      datetime.now(UTC))
    assert draft.text == "Your parcel is on its way! 📦"
    assert draft.intent == "order_status" and draft.confidence >= 0.9
    assert draft.actions[-1] == "drafted_by_llm"
    sent = llm.bodies[0]
    assert sent["model"] == "tiny-model"
    assert "https://track.example/2077" in sent["messages"][-1]["content"]


@pytest.mark.parametrize("mode", ["error", "slow"])
def test_the_llm_failing_falls_back_to_the_reference_reply(llm: FakeLlm, mode: str) -> None:
    llm.mode = mode
    record = MemoryCommerceRecord(sample_batch()).customer_record("c-2002")
    agent = _llm_agent(llm.url, timeout=0.3)
    draft = agent.reply(_conversation("where is my order 2077?"), record, datetime.now(UTC))
    assert "https://track.example/2077" in draft.text
    assert draft.actions[-1] == "llm_fallback"
    assert agent.last_error is not None and llm.url in agent.last_error
