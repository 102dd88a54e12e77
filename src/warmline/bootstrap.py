"""The one place that wires adapters to the service layer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from warmline.adapters.clock import SystemClock
from warmline.adapters.commerce.static import StaticCommerceRecord
from warmline.adapters.notify import notifier_for
from warmline.adapters.policy_file import load_policy
from warmline.adapters.signals.lexical import LexicalSignals
from warmline.config import Config
from warmline.domain.policy import Policy
from warmline.ports import Agent, Clock, CommerceRecord, Notifier, Signals, UnitOfWork
from warmline.service.handlers import Dependencies
from warmline.service.messagebus import MessageBus


@dataclass
class Warmline:
    """A wired application: the bus for writes, a unit-of-work factory for reads."""

    bus: MessageBus
    uow: Callable[[], UnitOfWork]
    policy: Policy
    config: Config
    notifier: Notifier | None = None  # live handoff updates (LISTEN/NOTIFY or in-process)
    clock: Clock | None = None  # read-side "now" (metrics); None means the system clock


def build_signals(name: str, kb: Path | None = None) -> Signals:
    """The signal provider named by WARMLINE_SIGNALS; `kb` configures the scope check."""
    if name == "lexical":
        return LexicalSignals()
    if name == "semantic":
        from warmline.adapters.signals.semantic import SemanticSignals

        return SemanticSignals(knowledge=kb)
    raise ValueError(f"unknown signal provider {name!r}")


def build_record(config: Config) -> CommerceRecord:
    """The commerce record named by WARMLINE_RECORD (db, none, a JSON file or a URL)."""
    where = config.record
    if where == "db":
        from warmline.adapters.commerce.sql import SqlCommerceRecord

        return SqlCommerceRecord(config.database_url)
    if where in ("", "none"):
        return StaticCommerceRecord()
    if where.startswith(("http://", "https://")):
        from warmline.adapters.commerce.http import HttpCommerceRecord

        return HttpCommerceRecord(where, timeout=config.record_timeout,
                                  token=config.record_token or None)
    return StaticCommerceRecord.from_file(Path(where))


def build_agent(config: Config, signals: Signals,
                policy: Callable[[], Policy]) -> Agent | None:
    """Warmline's own agent (WARMLINE_AGENT), or None when an external agent answers."""
    if config.agent == "none":
        return None
    from warmline.adapters.agent.kb import KnowledgeBase
    from warmline.adapters.agent.reference import ReferenceAgent

    reference = ReferenceAgent(KnowledgeBase.load(config.agent_kb), signals, policy)
    if config.agent == "reference":
        return reference
    from warmline.adapters.agent.llm import LlmAgent, OpenAICompatibleModel

    model = OpenAICompatibleModel(config.llm_url, config.llm_model,
                                  api_key=config.llm_api_key or None,
                                  timeout=config.llm_timeout)
    return LlmAgent(model, reference)


def sql_uow_factory(url: str, notifier: Notifier | None = None) -> Callable[[], UnitOfWork]:
    from warmline.adapters.storage.sql import SqlUnitOfWork, make_engine

    engine = make_engine(url)
    return lambda: SqlUnitOfWork(engine, notifier)


def memory_uow_factory() -> Callable[[], UnitOfWork]:
    from warmline.adapters.storage.memory import MemoryStore, MemoryUnitOfWork

    store = MemoryStore()
    return lambda: MemoryUnitOfWork(store)


def bootstrap(config: Config | None = None, *, uow: Callable[[], UnitOfWork] | None = None,
              signals: Signals | None = None, record: CommerceRecord | None = None,
              clock: Clock | None = None, policy: Policy | None = None) -> Warmline:
    """Wire Warmline from `config` (the environment by default); any port may be overridden."""
    config = config or Config.from_env()
    policy = policy or load_policy(config.policy)
    if record is None:
        record = build_record(config)
    signals = signals or build_signals(config.signals, config.kb)
    clock = clock or SystemClock()
    deps = Dependencies(signals=signals, policy=lambda: policy, record=record, clock=clock,
                        agent=build_agent(config, signals, lambda: policy))
    notifier = None
    if uow is None:
        notifier = notifier_for(config.database_url)
        uow = sql_uow_factory(config.database_url, notifier)
    return Warmline(bus=MessageBus(uow, deps), uow=uow, policy=policy, config=config,
                    notifier=notifier, clock=clock)
