"""An optional LLM backend: any OpenAI-compatible chat endpoint drafts the reply.

Never required. The reference agent still decides what the reply is about (intent,
confidence, the record facts and the knowledge-base article that ground it); the model
only words it. On any failure — timeout, refused connection, HTTP error, an answer that
is empty or not the expected JSON — the reference agent's own reply is used and the
action `llm_fallback` is recorded, so a model outage never leaves a customer unanswered.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import httpx

from warmline.adapters.agent.reference import ReferenceAgent
from warmline.domain.model import Conversation, Role
from warmline.domain.record.commerce import CustomerRecord
from warmline.ports import AgentDraft, LanguageModel

SYSTEM = ("You are the customer-support assistant of {brand}. Reply in the customer's "
          "language, briefly and warmly. Use only the facts given; never promise refunds, "
          "exceptions or dates that are not in the facts. Keep links exactly as given.")


class LlmError(RuntimeError):
    """The model could not answer (the message says why)."""


class OpenAICompatibleModel:
    """POST {base_url}/chat/completions with {"model", "messages"}; returns the content."""

    def __init__(self, base_url: str, model: str, *, api_key: str | None = None,
                 timeout: float = 10.0, transport: httpx.BaseTransport | None = None) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f"LLM URL must start with http:// or https://, got {base_url!r}")
        if not model:
            raise ValueError("LLM model name is empty")
        headers = {"authorization": f"Bearer {api_key}"} if api_key else {}
        self.url, self.model, self.timeout = base_url.rstrip("/"), model, timeout
        self._client = httpx.Client(timeout=timeout, headers=headers, transport=transport)

    def complete(self, messages: Sequence[dict[str, str]]) -> str:
        endpoint = f"{self.url}/chat/completions"
        try:
            response = self._client.post(endpoint, json={
                "model": self.model, "messages": list(messages), "temperature": 0.2,
                "max_tokens": 300})
        except httpx.TimeoutException as exc:
            raise LlmError(f"{endpoint} did not answer within {self.timeout:g}s") from exc
        except httpx.HTTPError as exc:
            raise LlmError(f"{endpoint} unreachable: {type(exc).__name__}") from exc
        if response.status_code != 200:
            raise LlmError(f"{endpoint} answered HTTP {response.status_code}")
        try:
            content = response.json()["choices"][0]["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise LlmError(f"{endpoint} answered without choices[0].message.content") from exc
        if not isinstance(content, str) or not content.strip():
            raise LlmError(f"{endpoint} answered with an empty message")
        return content.strip()


class LlmAgent:
    """Words the reference agent's reply with a language model; falls back to it."""

    def __init__(self, model: LanguageModel, fallback: ReferenceAgent) -> None:
        self.model, self.fallback = model, fallback
        self.last_error: str | None = None

    def reply(self, conv: Conversation, record: CustomerRecord | None,
              now: datetime) -> AgentDraft:
        grounded = self.fallback.reply(conv, record, now)
        if grounded.intent in ("fallback", "out_of_scope"):
            return grounded  # nothing to word: the agent is unsure and says so
        try:
            text = self.model.complete(self._messages(conv, grounded))
        except LlmError as exc:
            self.last_error = str(exc)
            return AgentDraft(grounded.text, grounded.confidence, grounded.intent,
                              (*grounded.actions, "llm_fallback"))
        return AgentDraft(text, grounded.confidence, grounded.intent,
                          (*grounded.actions, "drafted_by_llm"))

    def _messages(self, conv: Conversation, grounded: AgentDraft) -> list[dict[str, str]]:
        out = [{"role": "system", "content": SYSTEM.format(brand=self.fallback.kb.brand)}]
        for t in conv.turns[-8:]:
            role = "user" if t.role is Role.CUSTOMER else "assistant"
            out.append({"role": role, "content": t.text})
        out.append({"role": "system",
                    "content": f"Facts for your answer (intent {grounded.intent}): "
                               f"{grounded.text}"})
        return out
