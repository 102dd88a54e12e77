"""The one place that wires adapters to the service layer."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from warmline.adapters.clock import SystemClock
from warmline.adapters.commerce.importers import FORMATS
from warmline.adapters.commerce.static import StaticCommerceRecord
from warmline.adapters.notify import notifier_for
from warmline.adapters.policy_file import load_policy as load_policy
from warmline.adapters.signals.lexical import LexicalSignals
from warmline.config import Config
from warmline.domain.policy import Policy
from warmline.logs import install as install_log_redaction
from warmline.ports import (
    AccessStore,
    Agent,
    Clock,
    CommerceRecord,
    Helpdesk,
    Notifier,
    OutboundChannel,
    Outbox,
    ParsedFile,
    PolicyLog,
    Signals,
    UnitOfWork,
)
from warmline.service.delivery import Dispatcher
from warmline.service.messagebus import MessageBus
from warmline.service.sweeper import SweepPass, sweep_once
from warmline.service.unit import Dependencies

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from warmline.adapters.agent.kb import KnowledgeBase
    from warmline.adapters.channels.chatwoot import ChatwootInbound
    from warmline.adapters.channels.webchat import Sessions
    from warmline.adapters.channels.whatsapp import WhatsAppInbound
    from warmline.adapters.commerce.sql import SqlCommerceRecord
    from warmline.adapters.storage.erasure import SqlEraser
    from warmline.ports import WebchatFeed


@dataclass
class Warmline:
    """A wired application: the bus for writes, a unit-of-work factory for reads."""

    bus: MessageBus
    uow: Callable[[], UnitOfWork]
    policy: Policy
    config: Config
    notifier: Notifier | None = None  # live handoff updates (LISTEN/NOTIFY or in-process)
    clock: Clock | None = None  # read-side "now" (metrics); None means the system clock
    dispatcher: Dispatcher | None = None  # sends what conversations owe, after commit
    feed: WebchatFeed | None = None  # the web chat's feed (the database, shared by workers)
    channels: Mapping[str, OutboundChannel] = field(default_factory=dict)
    access: AccessStore | None = None  # people, API tokens, console sessions

    def sweep(self) -> SweepPass:
        """One pass of the sweeper (service/sweeper.py): the same for `serve`, the HTTP
        route and the CLI."""
        return sweep_once(self.bus, self.dispatcher)

    def database_problem(self) -> str | None:
        """What keeps the database from serving (unreachable, missing, not migrated to
        this version's schema), in one line with what to do; None when it is fine."""
        if not isinstance(self.uow, SqlUnits):
            return None  # memory units of work: nothing to reach
        from warmline.adapters.storage.migrate import problem

        return problem(self.config.database_url, engine=self.uow.engine)

    def model_problem(self) -> str | None:
        """Why the embedded sentence model cannot load, when the semantic signals need it."""
        from warmline.adapters.signals.semantic import SemanticSignals

        if not isinstance(self.bus.deps.signals, SemanticSignals):
            return None
        from warmline.adapters.signals.embedder import unavailable

        return unavailable()

    def problems(self) -> list[str]:
        """Everything that keeps this instance from working, each with what to do
        (`/healthz` answers 503 naming them)."""
        return [p for p in (self.database_problem(), self.model_problem()) if p]


@dataclass(frozen=True)
class ChannelSet:
    channels: dict[str, OutboundChannel]
    helpdesk: Helpdesk | None
    feed: WebchatFeed


def build_channels(config: Config, outbox: Outbox,
                   feed: WebchatFeed | None = None) -> ChannelSet:
    """The outbound channels the settings enable; the web chat is always there.

    WhatsApp sends once its access token and number are set, Chatwoot once its URL,
    account and bot token are; every client records its sends in the shared outbox.
    """
    from warmline.adapters.channels.webchat import WebchatChannel
    from warmline.adapters.storage.feeds import MemoryWebchatFeed

    feed = feed or MemoryWebchatFeed()
    channels: dict[str, OutboundChannel] = {"webchat": WebchatChannel(feed, outbox)}
    helpdesk: Helpdesk | None = None
    if config.whatsapp_access_token and config.whatsapp_phone_number_id:
        from warmline.adapters.channels.whatsapp import WhatsAppSettings
        from warmline.adapters.channels.whatsapp_client import WhatsAppClient

        channels["whatsapp"] = WhatsAppClient(WhatsAppSettings.from_config(config),
                                              log=outbox)
    if config.chatwoot_url and config.chatwoot_account_id and config.chatwoot_bot_token:
        from warmline.adapters.channels.chatwoot import ChatwootSettings
        from warmline.adapters.channels.chatwoot_client import ChatwootClient

        chatwoot = ChatwootClient(ChatwootSettings.from_config(config), log=outbox)
        channels["chatwoot"] = chatwoot
        helpdesk = chatwoot
    return ChannelSet(channels, helpdesk, feed)


def build_access(config: Config, sql: bool, engine: Engine | None = None) -> AccessStore:
    """Users, tokens and sessions: in the database, or in memory beside a memory store."""
    if not sql:
        from warmline.adapters.storage.access import MemoryAccessStore

        return MemoryAccessStore()
    from warmline.adapters.storage.access import SqlAccessStore
    from warmline.adapters.storage.engine import make_engine

    return SqlAccessStore(engine or make_engine(config.database_url))


def build_outbox(config: Config, sql: bool, engine: Engine | None = None) -> Outbox:
    if not sql:
        from warmline.adapters.storage.outbox import MemoryOutbox

        return MemoryOutbox()
    from warmline.adapters.storage.engine import make_engine
    from warmline.adapters.storage.outbox import SqlOutbox

    return SqlOutbox(engine or make_engine(config.database_url))


def build_feed(config: Config, sql: bool, engine: Engine | None = None) -> WebchatFeed:
    """The web chat feed: the database's `webchat_feed` table (every worker shares it),
    or this process's memory when Warmline runs without its own database."""
    if not sql:
        from warmline.adapters.storage.feeds import MemoryWebchatFeed

        return MemoryWebchatFeed()
    from warmline.adapters.storage.engine import make_engine
    from warmline.adapters.storage.feeds import SqlWebchatFeed

    return SqlWebchatFeed(engine or make_engine(config.database_url))


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


class SqlUnits:
    """A factory of SQL units of work over one engine (what bootstrap takes as `uow`)."""

    def __init__(self, engine: Engine, notifier: Notifier | None = None) -> None:
        self.engine = engine
        self.notifier = notifier

    def __call__(self) -> UnitOfWork:
        from warmline.adapters.storage.sql import SqlUnitOfWork

        return SqlUnitOfWork(self.engine, self.notifier)


def sql_uow_factory(url: str, notifier: Notifier | None = None,
                    engine: Engine | None = None) -> SqlUnits:
    from warmline.adapters.storage.engine import make_engine

    return SqlUnits(engine or make_engine(url), notifier)


def memory_uow_factory() -> Callable[[], UnitOfWork]:
    from warmline.adapters.storage.memory import MemoryUnits

    return MemoryUnits()


def bootstrap(config: Config | None = None, *, uow: Callable[[], UnitOfWork] | None = None,
              signals: Signals | None = None, record: CommerceRecord | None = None,
              clock: Clock | None = None, policy: Policy | None = None,
              channels: Mapping[str, OutboundChannel] | None = None,
              outbox: Outbox | None = None, feed: WebchatFeed | None = None,
              access: AccessStore | None = None) -> Warmline:
    """Wire Warmline from `config` (the environment by default); any port may be overridden.

    `channels` replaces the ones the settings enable (tests pass fakes); the web chat feed
    is kept either way. The outbox and the web chat feed live in the database when
    Warmline builds its own units of work (`uow` not given), in memory otherwise.
    """
    from warmline.adapters.storage.memory import MemoryUnits

    install_log_redaction()  # personal data never reaches a log line (logs.py)
    config = config or Config.from_env()
    engine = None
    if uow is None:  # one connection pool for the log, the outbox, access and the feed
        from warmline.adapters.storage.engine import make_engine

        engine = make_engine(config.database_url)
    elif isinstance(uow, SqlUnits):
        engine = uow.engine
    if outbox is None and isinstance(uow, MemoryUnits):
        outbox = uow.store.outbox  # the rows its units of work write with the events
    sql = engine is not None
    outbox = outbox or build_outbox(config, sql=sql, engine=engine)
    access = access or build_access(config, sql=sql, engine=engine)
    feed = feed or build_feed(config, sql=sql, engine=engine)
    wired = build_channels(config, outbox, feed)
    if channels is not None:
        wired = ChannelSet(dict(channels), wired.helpdesk, wired.feed)
    clock = clock or SystemClock()
    policy = policy or load_policy(config.policy)
    if record is None:
        record = build_record(config)
    signals = signals or build_signals(config.signals, config.kb)
    deps = Dependencies(signals=signals, policy=lambda: policy, record=record,
                        clock=clock, agent=build_agent(config, signals, lambda: policy),
                        channels=wired.channels, helpdesk=wired.helpdesk)
    notifier = None
    if uow is None:
        notifier = notifier_for(config.database_url)
        uow = sql_uow_factory(config.database_url, notifier, engine)
    dispatcher = Dispatcher(uow, wired.channels, outbox, clock, helpdesk=wired.helpdesk,
                            teams=config.chatwoot_teams, policy=lambda: policy)
    return Warmline(bus=MessageBus(uow, deps, deliver=dispatcher.deliver), uow=uow,
                    policy=policy, config=config, notifier=notifier, clock=clock,
                    feed=wired.feed, channels=wired.channels, access=access,
                    dispatcher=dispatcher)


# --- the inbound side: webhook parsers and web chat sessions ---------------------------


@dataclass(frozen=True)
class Inbound:
    """What turns platforms' webhooks into events, and the web chat's session keys, wired
    from the settings (the channel routers in entrypoints/channels/ take them from here)."""

    whatsapp: WhatsAppInbound
    chatwoot: ChatwootInbound
    webchat: Sessions
    webchat_origins: tuple[str, ...]


def build_inbound(config: Config) -> Inbound:
    from warmline.adapters.channels.chatwoot import ChatwootInbound, ChatwootSettings
    from warmline.adapters.channels.webchat import Sessions, WebchatSettings
    from warmline.adapters.channels.whatsapp import WhatsAppInbound, WhatsAppSettings

    web = WebchatSettings.from_config(config)
    return Inbound(WhatsAppInbound(WhatsAppSettings.from_config(config)),
                   ChatwootInbound(ChatwootSettings.from_config(config)),
                   Sessions(web.secret), web.origins)


# --- for commands that work on files and databases without a running app --------------


def parse_policy(text: str, source: str = "policy") -> Policy:
    """A policy from YAML text; PolicyError names the offending key."""
    from warmline.adapters.policy_file import parse_policy as parse

    return parse(text, source)


def policy_log(policy_path: Path) -> PolicyLog:
    """Where activations of the policy file at `policy_path` are recorded."""
    from warmline.adapters.policy_log import log_beside

    return log_beside(policy_path)


def migrate(url: str) -> str | None:
    """Create or migrate the database at `url` to the latest schema; its revision after."""
    from warmline.adapters.storage.migrate import current, upgrade

    upgrade(url)
    return current(url)


def check_database(url: str, *, migrated: bool = True) -> str:
    """`url` if its database can be used as it is, else DatabaseNotReady saying what to do.

    Creates nothing: every command but `warmline db upgrade` calls this first, so a read
    command never leaves an empty SQLite file behind (`migrated=False`: the database must
    exist and answer, whatever its schema)."""
    from warmline.adapters.storage.migrate import check

    check(url, migrated=migrated)
    return url


def database_problem(url: str, *, migrated: bool = True) -> str | None:
    """What keeps the database at `url` from serving, in one line with what to do (None
    when it can); creates nothing."""
    from warmline.adapters.storage.migrate import problem

    return problem(url, migrated=migrated)


def shown_url(url: str) -> str:
    """A database URL fit to print: without its password."""
    from warmline.adapters.storage.migrate import shown

    return shown(url)


def schema_revisions(url: str) -> tuple[str | None, str | None]:
    """(the database's schema revision, the one this version of Warmline needs)."""
    from warmline.adapters.storage.migrate import current, head

    return current(url), head()


def record_store(url: str) -> SqlCommerceRecord:
    """The commerce record in the database at `url`: read it, or import into it."""
    from warmline.adapters.commerce.sql import SqlCommerceRecord

    return SqlCommerceRecord(url)


IMPORT_FORMATS = FORMATS  # what `warmline import` reads (docs/record.md)


def parse_import_file(path: Path, fmt: str | None, kind: str | None) -> ParsedFile:
    """One import file parsed to the end: entities and every bad row."""
    from warmline.adapters.commerce.importers import parse_file

    return parse_file(path, fmt, kind)


def file_record(path: Path | None) -> CommerceRecord:
    """A read-only record from a JSON file (no file: an empty record)."""
    return StaticCommerceRecord() if path is None else StaticCommerceRecord.from_file(path)


def knowledge_base(path: Path | None) -> KnowledgeBase:
    """The reference agent's knowledge base (the demo store's when `path` is None)."""
    from warmline.adapters.agent.kb import KnowledgeBase

    return KnowledgeBase.load(path)


def eraser(url: str) -> SqlEraser:
    """What forgets a customer in the database at `url` (docs/security.md)."""
    from warmline.adapters.storage.engine import make_engine
    from warmline.adapters.storage.erasure import SqlEraser

    return SqlEraser(make_engine(url))
