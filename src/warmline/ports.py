"""Protocols for every adapter. The service layer depends on these, never on adapters."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any, Protocol

from warmline.domain.events import Event
from warmline.domain.record import CustomerFacts
from warmline.domain.signals import Signals

__all__ = ["Clock", "CommerceRecord", "ConcurrencyError", "ConversationRepository",
           "InboundKey", "SentenceEmbedder", "Signals", "UnitOfWork"]


class ConcurrencyError(Exception):
    """Another writer appended to the same conversation first; retry the command."""


@dataclass(frozen=True)
class InboundKey:
    """Where an inbound message (channel, external id) was stored."""

    conversation_id: str
    turn: int


class ConversationRepository(Protocol):
    def load(self, conversation_id: str) -> list[Event]:
        """Every event of the conversation, in order (empty if unknown)."""
        ...

    def append(self, conversation_id: str, events: Sequence[Event],
               expected_version: int) -> None:
        """Append after `expected_version` events, or raise ConcurrencyError."""
        ...

    def inbound(self, channel: str, message_id: str) -> InboundKey | None:
        ...

    def remember_inbound(self, channel: str, message_id: str, key: InboundKey) -> None:
        ...

    def list_ids(self, limit: int = 100, offset: int = 0) -> list[str]:
        ...


class UnitOfWork(Protocol):
    """One transaction: handlers write through it and commit once."""

    @property
    def conversations(self) -> ConversationRepository: ...

    def __enter__(self) -> UnitOfWork: ...

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...


class CommerceRecord(Protocol):
    """The brand's commerce record, read live at judging time."""

    def customer_facts(self, customer_ref: str) -> CustomerFacts | None: ...


class Clock(Protocol):
    def now(self) -> datetime: ...


class SentenceEmbedder(Protocol):
    """An embedded sentence model: texts -> L2-normalised vectors (n, dimension)."""

    @property
    def dimension(self) -> int: ...

    def embed(self, texts: Sequence[str]) -> Any: ...
