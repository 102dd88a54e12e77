"""Typed settings: one table of (name, default, help) that feeds the CLI, docs and code.

Every setting is read from the environment as WARMLINE_<NAME>; a test fails if a
setting is missing from docs/configuration.md.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("database_url", "sqlite:///warmline.db",
            "SQLAlchemy URL of the database (SQLite by default; postgresql+psycopg://... "
            "to scale out)"),
    Setting("policy", "", "path of the YAML policy; empty means the packaged default"),
    Setting("record", "db", "where the commerce record is read from: `db` (Warmline's "
            "database, filled by `warmline import`), `none`, the path of a JSON file "
            "(read-only), or the base URL of a live commerce API (`https://...`, "
            "docs/record.md)"),
    Setting("record_timeout", "2", "seconds to wait for the live commerce API before judging "
            "without the record"),
    Setting("record_token", "", "bearer token sent to the live commerce API"),
    Setting("agent", "none", "who answers customers: `none` (your agent posts replies), "
            "`reference` (Warmline's agent: knowledge base + record, no model) or `llm` (an "
            "OpenAI-compatible model words the reference agent's answers; falls back to it)"),
    Setting("agent_kb", "", "path of the reference agent's knowledge base (YAML FAQ and "
            "policies, docs/agent.md); empty means the demo store's"),
    Setting("llm_url", "", "base URL of an OpenAI-compatible API (for `agent=llm`), e.g. "
            "http://127.0.0.1:11434/v1"),
    Setting("llm_model", "", "model name sent to the LLM API"),
    Setting("llm_api_key", "", "API key sent to the LLM API as a bearer token (optional)"),
    Setting("llm_timeout", "10", "seconds to wait for the LLM before the reference agent's "
            "own reply is used"),
    Setting("signals", "semantic", "signal provider: `semantic` (the embedded sentence "
            "model: learned heads, cosine similarity, scope check; VADER sentiment) or "
            "`lexical` (VADER + word overlap; no model, for tiny installs)"),
    Setting("kb", "", "path of the agent's knowledge (kb.jsonl: one {\"intent\", \"text\"} "
            "per line) for the scope check of `low_confidence`; empty means no scope check "
            "(needs `semantic` signals)"),
    Setting("host", "127.0.0.1", "address `warmline serve` listens on"),
    Setting("port", "8000", "port `warmline serve` listens on"),
    Setting("max_body_bytes", "65536", "largest request body the API accepts"),
    Setting("max_message_chars", "4000", "longest message text the API accepts"),
    Setting("sweep_seconds", "5", "how often each `warmline serve` process applies due "
            "queue cascades, lapsed leases and out-of-hours rules (0: never; then run "
            "`warmline routing sweep`)"),
    # channels (docs/channels.md): secrets are read from the environment only, never logged
    Setting("whatsapp_app_secret", "", "Meta app secret: checks `X-Hub-Signature-256` on "
            "WhatsApp webhooks (unset: WhatsApp webhooks are refused)"),
    Setting("whatsapp_verify_token", "", "the verify token typed in Meta's webhook settings; "
            "answers the `hub.challenge` handshake"),
    Setting("whatsapp_access_token", "", "WhatsApp Cloud API access token (a system user's) "
            "for sending"),
    Setting("whatsapp_phone_number_id", "", "the business phone number id that sends; "
            "webhooks for other numbers are ignored"),
    Setting("whatsapp_api_url", "https://graph.facebook.com/v23.0", "Graph API base URL, "
            "with its version"),
    Setting("chatwoot_url", "", "base URL of your Chatwoot (e.g. https://app.chatwoot.com)"),
    Setting("chatwoot_account_id", "", "the Chatwoot account id the Agent Bot works in"),
    Setting("chatwoot_bot_token", "", "the Agent Bot's access token (`api_access_token`): "
            "replies, private notes, status and team assignment"),
    Setting("chatwoot_api_token", "", "a Chatwoot user's access token, used only where the "
            "bot token is refused (team assignment on older Chatwoot)"),
    Setting("chatwoot_webhook_secret", "", "the Agent Bot's webhook secret: checks "
            "`X-Chatwoot-Signature` (Chatwoot versions that sign bot webhooks)"),
    Setting("chatwoot_webhook_token", "", "a token required as `?token=` on the bot's "
            "outgoing URL, for Chatwoot versions that do not sign bot webhooks"),
    Setting("chatwoot_teams", "", "Warmline queue to Chatwoot team id, assigned on hand-off "
            "(e.g. `retention=3,billing=4`); a queue not listed opens without a team"),
    # access (docs/security.md)
    Setting("admin_token", "", "an admin API token from the environment (or "
            "WARMLINE_ADMIN_TOKEN_FILE): the way in before any user exists; empty means none"),
    Setting("session_hours", "12", "how long a console sign-in lasts"),
    Setting("rate_limit_per_token", "600", "requests per minute one API token or signed-in "
            "person may make (each process counts its own; 0: no limit)"),
    Setting("rate_limit_per_sender", "30", "customer messages per minute one sender (a "
            "conversation, web chat session or phone number) may post (0: no limit)"),
    Setting("webchat_secret", "", "key that signs web chat session tokens; empty means a "
            "random key per process (sessions end on restart and work on one worker only: "
            "set it for `--workers 2`)"),
    Setting("webchat_origins", "", "sites allowed to embed the web chat widget "
            "(comma-separated origins); empty means Warmline's own origin only"),
)


SIGNAL_PROVIDERS = ("semantic", "lexical")


@dataclass(frozen=True)
class Config:
    database_url: str
    policy: Path | None
    record: str
    record_timeout: float
    record_token: str
    agent: str
    agent_kb: Path | None
    llm_url: str
    llm_model: str
    llm_api_key: str
    llm_timeout: float
    signals: str
    kb: Path | None
    host: str
    port: int
    max_body_bytes: int
    max_message_chars: int
    sweep_seconds: float = 5.0
    whatsapp_app_secret: str = field(default="", repr=False)
    whatsapp_verify_token: str = field(default="", repr=False)
    whatsapp_access_token: str = field(default="", repr=False)
    whatsapp_phone_number_id: str = ""
    whatsapp_api_url: str = "https://graph.facebook.com/v23.0"
    chatwoot_url: str = ""
    chatwoot_account_id: str = ""
    chatwoot_bot_token: str = field(default="", repr=False)
    chatwoot_api_token: str = field(default="", repr=False)
    chatwoot_webhook_secret: str = field(default="", repr=False)
    chatwoot_webhook_token: str = field(default="", repr=False)
    chatwoot_teams: dict[str, int] = field(default_factory=dict)
    webchat_secret: str = field(default="", repr=False)
    webchat_origins: str = ""
    admin_token: str = field(default="", repr=False)
    session_hours: float = 12.0
    rate_limit_per_token: int = 600
    rate_limit_per_sender: int = 30

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: str) -> Config:
        env = os.environ if env is None else env
        raw = {s.name: overrides.get(s.name) or env.get(f"WARMLINE_{s.name.upper()}")
               or _from_file(env, s.name) or s.default for s in SETTINGS}
        if raw["signals"] not in SIGNAL_PROVIDERS:
            raise ValueError(f"WARMLINE_SIGNALS: unknown provider {raw['signals']!r} "
                             f"(known: {', '.join(SIGNAL_PROVIDERS)})")
        if raw["kb"] and raw["signals"] != "semantic":
            raise ValueError("WARMLINE_KB: the scope check needs WARMLINE_SIGNALS=semantic "
                             f"(got {raw['signals']!r})")
        for name in ("port", "max_body_bytes", "max_message_chars", "rate_limit_per_token",
                     "rate_limit_per_sender"):
            if not raw[name].isdigit():
                raise ValueError(f"WARMLINE_{name.upper()}: expected a whole number, "
                                 f"got {raw[name]!r}")
        return cls(database_url=raw["database_url"],
                   policy=Path(raw["policy"]) if raw["policy"] else None,
                   record=raw["record"], record_timeout=_seconds(raw, "record_timeout"),
                   record_token=raw["record_token"], agent=_agent(raw),
                   agent_kb=Path(raw["agent_kb"]) if raw["agent_kb"] else None,
                   llm_url=raw["llm_url"], llm_model=raw["llm_model"],
                   llm_api_key=raw["llm_api_key"], llm_timeout=_seconds(raw, "llm_timeout"),
                   signals=raw["signals"], kb=Path(raw["kb"]) if raw["kb"] else None,
                   host=raw["host"], port=int(raw["port"]),
                   max_body_bytes=int(raw["max_body_bytes"]),
                   max_message_chars=int(raw["max_message_chars"]),
                   sweep_seconds=_sweep_seconds(raw["sweep_seconds"]),
                   whatsapp_app_secret=raw["whatsapp_app_secret"],
                   whatsapp_verify_token=raw["whatsapp_verify_token"],
                   whatsapp_access_token=raw["whatsapp_access_token"],
                   whatsapp_phone_number_id=raw["whatsapp_phone_number_id"],
                   whatsapp_api_url=_url(raw, "whatsapp_api_url"),
                   chatwoot_url=_url(raw, "chatwoot_url"),
                   chatwoot_account_id=_digits(raw, "chatwoot_account_id"),
                   chatwoot_bot_token=raw["chatwoot_bot_token"],
                   chatwoot_api_token=raw["chatwoot_api_token"],
                   chatwoot_webhook_secret=raw["chatwoot_webhook_secret"],
                   chatwoot_webhook_token=raw["chatwoot_webhook_token"],
                   chatwoot_teams=_teams(raw["chatwoot_teams"]),
                   webchat_secret=raw["webchat_secret"], webchat_origins=raw["webchat_origins"],
                   admin_token=raw["admin_token"],
                   session_hours=_hours(raw["session_hours"]),
                   rate_limit_per_token=int(raw["rate_limit_per_token"]),
                   rate_limit_per_sender=int(raw["rate_limit_per_sender"]))


AGENTS = ("none", "reference", "llm")


def _from_file(env: Mapping[str, str], name: str) -> str | None:
    """WARMLINE_<NAME>_FILE: a secret kept in a file (Docker/Kubernetes secrets)."""
    path = env.get(f"WARMLINE_{name.upper()}_FILE")
    if not path:
        return None
    try:
        return Path(path).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ValueError(f"WARMLINE_{name.upper()}_FILE: cannot read {path!r} "
                         f"({exc.strerror})") from None


def _hours(value: str) -> float:
    try:
        hours = float(value)
    except ValueError:
        hours = -1.0
    if not 0 < hours <= 24 * 30:
        raise ValueError(f"WARMLINE_SESSION_HOURS: expected hours between 0 and 720, "
                         f"got {value!r}")
    return hours


def _teams(value: str) -> dict[str, int]:
    """`retention=3,billing=4` -> {"retention": 3, "billing": 4}; refused when malformed."""
    teams: dict[str, int] = {}
    for pair in filter(None, (p.strip() for p in value.split(","))):
        queue, _, team = pair.partition("=")
        if not queue.strip() or not team.strip().isdigit():
            raise ValueError(f"WARMLINE_CHATWOOT_TEAMS: expected queue=team_id pairs, "
                             f"got {pair!r}")
        teams[queue.strip()] = int(team)
    return teams


def _seconds(raw: Mapping[str, str], name: str) -> float:
    try:
        value = float(raw[name])
    except ValueError:
        value = -1.0
    if not 0 < value <= 600:
        raise ValueError(f"WARMLINE_{name.upper()}: expected seconds between 0 and 600, "
                         f"got {raw[name]!r}")
    return value


def _agent(raw: Mapping[str, str]) -> str:
    agent = raw["agent"]
    if agent not in AGENTS:
        raise ValueError(f"WARMLINE_AGENT: unknown agent {agent!r} (known: {', '.join(AGENTS)})")
    if agent == "llm" and not (raw["llm_url"] and raw["llm_model"]):
        raise ValueError("WARMLINE_LLM_URL and WARMLINE_LLM_MODEL: both are needed with "
                         "WARMLINE_AGENT=llm")
    return agent


def _sweep_seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= 3600:
        raise ValueError(f"WARMLINE_SWEEP_SECONDS: expected seconds between 0 and 3600, "
                         f"got {value!r}")
    return seconds


def _url(raw: Mapping[str, str], name: str) -> str:
    value = raw[name].rstrip("/")
    if value and not value.startswith(("http://", "https://")):
        raise ValueError(f"WARMLINE_{name.upper()}: expected an http(s) URL, got {value!r}")
    return value


def _digits(raw: Mapping[str, str], name: str) -> str:
    if raw[name] and not raw[name].isdigit():
        raise ValueError(f"WARMLINE_{name.upper()}: expected a whole number, got {raw[name]!r}")
    return raw[name]
