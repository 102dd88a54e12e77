"""The one place that wires adapters to the service layer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from warmline.adapters.clock import SystemClock
from warmline.adapters.commerce.static import StaticCommerceRecord
from warmline.adapters.policy_file import load_policy
from warmline.adapters.signals.lexical import LexicalSignals
from warmline.config import Config
from warmline.domain.policy import Policy
from warmline.ports import Clock, CommerceRecord, Signals, UnitOfWork
from warmline.service.handlers import Dependencies
from warmline.service.messagebus import MessageBus


@dataclass
class Warmline:
    """A wired application: the bus for writes, a unit-of-work factory for reads."""

    bus: MessageBus
    uow: Callable[[], UnitOfWork]
    policy: Policy
    config: Config


def build_signals(name: str) -> Signals:
    if name == "lexical":
        return LexicalSignals()
    raise ValueError(f"unknown signal provider {name!r}")


def sql_uow_factory(url: str) -> Callable[[], UnitOfWork]:
    from warmline.adapters.storage.sql import SqlUnitOfWork, make_engine

    engine = make_engine(url)
    return lambda: SqlUnitOfWork(engine)


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
        record = (StaticCommerceRecord.from_file(config.record) if config.record
                  else StaticCommerceRecord())
    deps = Dependencies(signals=signals or build_signals(config.signals),
                        policy=lambda: policy, record=record, clock=clock or SystemClock())
    uow = uow or sql_uow_factory(config.database_url)
    return Warmline(bus=MessageBus(uow, deps), uow=uow, policy=policy, config=config)
