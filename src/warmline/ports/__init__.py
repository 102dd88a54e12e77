"""Protocols for every adapter, by concern. The service layer depends on these, never on
adapters; everything is re-exported here, so `from warmline.ports import UnitOfWork` works."""

from warmline.ports.access import AccessStore
from warmline.ports.agent import Agent, AgentDraft, LanguageModel
from warmline.ports.channels import (
    Helpdesk,
    InboundChannel,
    OutboundChannel,
    Outbox,
    OutboxEntry,
    SentLog,
    SubscribedInbound,
    TokenInbound,
    WebchatFeed,
    WebchatSessions,
)
from warmline.ports.clock import Clock, PolicyLog
from warmline.ports.record import CommerceRecord, ParsedFile, RecordStore, RecordUnavailable
from warmline.ports.signals import ScopeVerdict, SentenceEmbedder, Signals
from warmline.ports.storage import (
    AgentRepository,
    ConcurrencyError,
    ConversationRepository,
    DatabaseNotReady,
    HandoffRepository,
    InboundKey,
    Notice,
    Notifier,
    QueueCounts,
    Subscription,
    UnitOfWork,
)

__all__ = [
    "AccessStore",
    "Agent",
    "AgentDraft",
    "AgentRepository",
    "Clock",
    "CommerceRecord",
    "ConcurrencyError",
    "ConversationRepository",
    "DatabaseNotReady",
    "HandoffRepository",
    "Helpdesk",
    "InboundChannel",
    "InboundKey",
    "LanguageModel",
    "Notice",
    "Notifier",
    "OutboundChannel",
    "Outbox",
    "OutboxEntry",
    "ParsedFile",
    "PolicyLog",
    "QueueCounts",
    "RecordStore",
    "RecordUnavailable",
    "ScopeVerdict",
    "SentLog",
    "SentenceEmbedder",
    "Signals",
    "SubscribedInbound",
    "Subscription",
    "TokenInbound",
    "UnitOfWork",
    "WebchatFeed",
    "WebchatSessions",
]
