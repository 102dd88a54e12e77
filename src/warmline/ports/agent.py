"""Agents Warmline runs itself, and the optional language model behind one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from warmline.domain.model import Conversation
from warmline.domain.record.commerce import CustomerRecord


@dataclass(frozen=True)
class AgentDraft:
    """A reply an agent wrote, with what it reports about itself."""

    text: str
    confidence: float
    intent: str
    actions: tuple[str, ...] = ()


class Agent(Protocol):
    """An AI agent Warmline runs itself (the reference agent, or one on an LLM)."""

    def reply(self, conv: Conversation, record: CustomerRecord | None,
              now: datetime) -> AgentDraft:
        """The reply to the conversation's last customer turn."""
        ...


class LanguageModel(Protocol):
    """A chat-completion model (any OpenAI-compatible endpoint)."""

    def complete(self, messages: Sequence[dict[str, str]]) -> str:
        """The model's answer; raises on timeouts and errors (callers fall back)."""
        ...
