"""Settings, each declared once: name, type, default, help and check in one `Config` field.

A setting is a field of `Config` made by `setting(default, help, parse=..., secret=...)`:
the field's name gives the environment variable (WARMLINE_<NAME>, or a file named by
WARMLINE_<NAME>_FILE), its annotation the type, `default` the text used when neither is
set, `help` the line of the table, and `parse` turns the text into the type or raises
`ValueError` saying what it expected (`Config.from_env` puts the variable's name in
front: `WARMLINE_PORT: expected a whole number, got 'eighty'`). From these declarations
follow `Config.from_env`, `SETTINGS`, the table `warmline settings` prints (embedded in
docs/configuration.md), and every check; the few checks that span settings are in
`_across`. Secrets (`secret=True`) stay out of the repr. Nothing else in `warmline`
reads the environment (tests/unit/test_config.py checks it).

The fault-injection variables of warmline/faults.py are declared here too, as test-only
settings (`test_only=True`), rather than read through a side helper: that way every
WARMLINE_ variable the code knows has exactly one declaration (the test that looks for
undeclared ones needs no exception list), a mistyped pause point stops the server at
start-up naming the variable instead of silently never pausing, and their documentation
is generated like the operator table's, in its own short section of
docs/configuration.md ("For tests only"). `test_only` keeps them out of the operator
table and `warmline settings`. The message bus that hits the pause points has no config
at hand, so faults.py reads its two settings alone with `read()`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, TypeVar, overload

T = TypeVar("T")

SIGNAL_PROVIDERS = ("semantic", "lexical")
AGENTS = ("none", "reference", "llm")
LOG_FORMATS = ("text", "json")
FAULT_POINTS = ("before_commit", "after_commit")  # where warmline/faults.py may pause


class SettingError(ValueError):
    """A setting's value is wrong; the message names the variable and what was expected."""


@dataclass(frozen=True)
class Setting:
    """One declared setting, as `SETTINGS` lists it."""

    name: str
    default: str
    help: str
    parse: Callable[[str], Any] = str
    secret: bool = False
    test_only: bool = False

    @property
    def variable(self) -> str:
        return f"WARMLINE_{self.name.upper()}"

    def value(self, text: str) -> Any:
        """`text` parsed, or ValueError naming the variable."""
        try:
            return self.parse(text)
        except ValueError as exc:
            raise SettingError(f"{self.variable}: {exc}") from None


@overload
def setting(default: str, help: str, *, secret: bool = False,
            test_only: bool = False) -> str: ...


@overload
def setting(default: str, help: str, parse: Callable[[str], T], *, secret: bool = False,
            test_only: bool = False) -> T: ...


def setting(default: str, help: str, parse: Callable[[str], Any] = str, *,
            secret: bool = False, test_only: bool = False) -> Any:
    """Declare a `Config` field as a setting (see the module's docstring)."""
    spec = {"default": default, "help": help, "parse": parse, "secret": secret,
            "test_only": test_only}
    return field(default_factory=lambda: parse(default), repr=not secret,
                 metadata={"setting": spec})


# -- parsers: text -> value, or ValueError saying what was expected ---------------------

def _path(value: str) -> Path | None:
    return Path(value) if value else None


def _whole(value: str) -> int:
    if not value.isdigit():
        raise ValueError(f"expected a whole number, got {value!r}")
    return int(value)


def _digits(value: str) -> str:
    """An id made of digits, kept as text; empty means unset."""
    if value and not value.isdigit():
        raise ValueError(f"expected a whole number, got {value!r}")
    return value


def _url(value: str) -> str:
    """An http(s) URL without its trailing slash; empty means unset."""
    value = value.rstrip("/")
    if value and not value.startswith(("http://", "https://")):
        raise ValueError(f"expected an http(s) URL, got {value!r}")
    return value


def _between(unit: str, low: float, high: float, *,
             low_included: bool = False) -> Callable[[str], float]:
    def parse(value: str) -> float:
        try:
            number = float(value)
        except ValueError:
            number = -1.0
        above = low <= number if low_included else low < number
        if not (above and number <= high):
            raise ValueError(f"expected {unit} between {low:g} and {high:g}, got {value!r}")
        return number
    return parse


def _one_of(what: str, known: tuple[str, ...]) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if value not in known:
            raise ValueError(f"unknown {what} {value!r} (known: {', '.join(known)})")
        return value
    return parse


def _teams(value: str) -> dict[str, int]:
    """`retention=3,billing=4` -> {"retention": 3, "billing": 4}; refused when malformed."""
    teams: dict[str, int] = {}
    for pair in filter(None, (p.strip() for p in value.split(","))):
        queue, _, team = pair.partition("=")
        if not queue.strip() or not team.strip().isdigit():
            raise ValueError(f"expected queue=team_id pairs, got {pair!r}")
        teams[queue.strip()] = int(team)
    return teams


def _fault_pause(value: str) -> tuple[str, float] | None:
    """`before_commit:30` -> ("before_commit", 30.0); the seconds default to 30."""
    if not value:
        return None
    where, _, seconds = value.partition(":")
    if where not in FAULT_POINTS:
        raise ValueError(f"expected POINT[:SECONDS] with POINT one of "
                         f"{', '.join(FAULT_POINTS)}, got {value!r}")
    return where, _between("seconds", 0, 3600)(seconds or "30")


_SECONDS = _between("seconds", 0, 600)


@dataclass(frozen=True)
class Config:
    """Every setting of Warmline; read them with `Config.from_env()`."""

    database_url: str = setting(
        "sqlite:///warmline.db", "SQLAlchemy URL of the database (SQLite by default; "
        "postgresql+psycopg://... to scale out)")
    policy: Path | None = setting(
        "", "path of the YAML policy; empty means the packaged default", _path)
    record: str = setting(
        "db", "where the commerce record is read from: `db` (Warmline's database, filled "
        "by `warmline import`), `none`, the path of a JSON file (read-only), or the base "
        "URL of a live commerce API (`https://...`, docs/record.md)")
    record_timeout: float = setting(
        "2", "seconds to wait for the live commerce API before judging without the record",
        _SECONDS)
    record_token: str = setting(
        "", "bearer token sent to the live commerce API", secret=True)
    agent: str = setting(
        "none", "who answers customers: `none` (your agent posts replies), `reference` "
        "(Warmline's agent: knowledge base + record, no model) or `llm` (an "
        "OpenAI-compatible model words the reference agent's answers; falls back to it)",
        _one_of("agent", AGENTS))
    agent_kb: Path | None = setting(
        "", "path of the reference agent's knowledge base (YAML FAQ and policies, "
        "docs/agent.md); empty means the demo store's", _path)
    llm_url: str = setting(
        "", "base URL of an OpenAI-compatible API (for `agent=llm`), e.g. "
        "http://127.0.0.1:11434/v1")
    llm_model: str = setting("", "model name sent to the LLM API")
    llm_api_key: str = setting(
        "", "API key sent to the LLM API as a bearer token (optional)", secret=True)
    llm_timeout: float = setting(
        "10", "seconds to wait for the LLM before the reference agent's own reply is used",
        _SECONDS)
    signals: str = setting(
        "semantic", "signal provider: `semantic` (the embedded sentence model: learned "
        "heads, cosine similarity, scope check; VADER sentiment) or `lexical` (VADER + "
        "word overlap; no model, for tiny installs)", _one_of("provider", SIGNAL_PROVIDERS))
    kb: Path | None = setting(
        "", "path of the agent's knowledge (kb.jsonl: one {\"intent\", \"text\"} per line) "
        "for the scope check of `low_confidence`; empty means no scope check (needs "
        "`semantic` signals)", _path)
    host: str = setting("127.0.0.1", "address `warmline serve` listens on")
    port: int = setting(
        "8000", "port `warmline serve` listens on (and `warmline demo` calls on this host)",
        _whole)
    max_body_bytes: int = setting("65536", "largest request body the API accepts", _whole)
    max_message_chars: int = setting("4000", "longest message text the API accepts", _whole)
    log_format: str = setting(
        "text", "how `warmline serve` writes its log lines: `text` (uvicorn's) or `json` (one "
        "object a line: time, level, logger, message; personal data redacted as in text)",
        _one_of("log format", LOG_FORMATS))
    sweep_seconds: float = setting(
        "5", "how often each `warmline serve` process applies due queue cascades, lapsed "
        "leases and out-of-hours rules (0: never; then run `warmline routing sweep`)",
        _between("seconds", 0, 3600, low_included=True))
    # channels (docs/channels.md): secrets are read from the environment only, never logged
    whatsapp_app_secret: str = setting(
        "", "Meta app secret: checks `X-Hub-Signature-256` on WhatsApp webhooks (unset: "
        "WhatsApp webhooks are refused)", secret=True)
    whatsapp_verify_token: str = setting(
        "", "the verify token typed in Meta's webhook settings; answers the "
        "`hub.challenge` handshake", secret=True)
    whatsapp_access_token: str = setting(
        "", "WhatsApp Cloud API access token (a system user's) for sending", secret=True)
    whatsapp_phone_number_id: str = setting(
        "", "the business phone number id that sends; webhooks for other numbers are "
        "ignored")
    whatsapp_api_url: str = setting(
        "https://graph.facebook.com/v23.0", "Graph API base URL, with its version", _url)
    chatwoot_url: str = setting(
        "", "base URL of your Chatwoot (e.g. https://app.chatwoot.com)", _url)
    chatwoot_account_id: str = setting(
        "", "the Chatwoot account id the Agent Bot works in", _digits)
    chatwoot_bot_token: str = setting(
        "", "the Agent Bot's access token (`api_access_token`): replies, private notes, "
        "status and team assignment", secret=True)
    chatwoot_api_token: str = setting(
        "", "a Chatwoot user's access token, used only where the bot token is refused "
        "(team assignment on older Chatwoot)", secret=True)
    chatwoot_webhook_secret: str = setting(
        "", "the Agent Bot's webhook secret: checks `X-Chatwoot-Signature` (Chatwoot "
        "versions that sign bot webhooks)", secret=True)
    chatwoot_webhook_token: str = setting(
        "", "a token required as `?token=` on the bot's outgoing URL, for Chatwoot "
        "versions that do not sign bot webhooks", secret=True)
    chatwoot_teams: dict[str, int] = setting(
        "", "Warmline queue to Chatwoot team id, assigned on hand-off (e.g. "
        "`retention=3,billing=4`); a queue not listed opens without a team", _teams)
    # access (docs/security.md)
    admin_token: str = setting(
        "", "an admin API token from the environment (or WARMLINE_ADMIN_TOKEN_FILE): the "
        "way in before any user exists; empty means none", secret=True)
    api_token: str = setting(
        "", "the API token `warmline demo` (a client of a running server) sends as its "
        "bearer token; empty means the token in its `--token-file`", secret=True)
    session_hours: float = setting(
        "12", "how long a console sign-in lasts", _between("hours", 0, 24 * 30))
    rate_limit_per_token: int = setting(
        "600", "requests per minute one API token or signed-in person may make (each "
        "process counts its own; 0: no limit)", _whole)
    rate_limit_per_sender: int = setting(
        "30", "customer messages per minute one sender (a conversation, web chat session "
        "or phone number) may post (0: no limit)", _whole)
    webchat_secret: str = setting(
        "", "key that signs web chat session tokens; empty means a random key per process "
        "(sessions end on restart and work on one worker only: set it for `--workers 2`)",
        secret=True)
    webchat_origins: str = setting(
        "", "sites allowed to embed the web chat widget (comma-separated origins); empty "
        "means Warmline's own origin only")
    # for tests only (warmline/faults.py; docs/benchmarks.md, "Faults")
    fault_pause: tuple[str, float] | None = setting(
        "", "pause the first request to reach a point of the message bus "
        f"(`{'`, `'.join(FAULT_POINTS)}`) for SECONDS (default 30), as `POINT:SECONDS`, "
        "so a fault test can kill the worker there", _fault_pause, test_only=True)
    fault_marker: Path | None = setting(
        "", "the file the pausing worker creates (holding its process id); no pause "
        "without it", _path, test_only=True)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: str) -> Config:
        """The settings from `env` (the process's environment by default).

        Each comes from `overrides`, else WARMLINE_<NAME>, else the file named by
        WARMLINE_<NAME>_FILE, else its default; a bad value raises ValueError naming
        the variable."""
        env = os.environ if env is None else env
        unknown = sorted(set(overrides) - {s.name for s in SETTINGS})
        if unknown:
            raise TypeError(f"not a setting: {', '.join(unknown)}")
        values = {s.name: s.value(_text(s, env, overrides)) for s in SETTINGS}
        _across(values)
        return cls(**values)


def _declared() -> tuple[Setting, ...]:
    found = []
    for f in fields(Config):
        if "setting" not in f.metadata:
            raise TypeError(f"Config.{f.name}: declare it with setting(...)")
        found.append(Setting(f.name, **f.metadata["setting"]))
    return tuple(found)


SETTINGS: tuple[Setting, ...] = _declared()
_BY_NAME = {s.name: s for s in SETTINGS}


def read(name: str, env: Mapping[str, str] | None = None) -> Any:
    """One setting's value from the environment, without reading the others."""
    s = _BY_NAME[name]
    return s.value(_text(s, os.environ if env is None else env, {}))


def table(test_only: bool = False) -> str:
    """The operator settings (or the test-only ones) as a Markdown table."""
    rows = ["| variable | default | meaning |", "| --- | --- | --- |"]
    rows += [f"| `{s.variable}` | {f'`{s.default}`' if s.default else '(empty)'} "
             f"| {s.help} |" for s in SETTINGS if s.test_only == test_only]
    return "\n".join(rows)


def _text(s: Setting, env: Mapping[str, str], overrides: Mapping[str, str]) -> str:
    return (overrides.get(s.name) or env.get(s.variable) or _from_file(env, s)
            or s.default)


def _from_file(env: Mapping[str, str], s: Setting) -> str | None:
    """WARMLINE_<NAME>_FILE: a secret kept in a file (Docker/Kubernetes secrets)."""
    path = env.get(f"{s.variable}_FILE")
    if not path:
        return None
    try:
        return Path(path).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise SettingError(f"{s.variable}_FILE: cannot read {path!r} "
                           f"({exc.strerror})") from None


def _across(values: Mapping[str, Any]) -> None:
    """The checks that span settings (each setting's own check is its parser)."""
    if values["kb"] is not None and values["signals"] != "semantic":
        raise SettingError("WARMLINE_KB: the scope check needs WARMLINE_SIGNALS=semantic "
                         f"(got {values['signals']!r})")
    if values["agent"] == "llm" and not (values["llm_url"] and values["llm_model"]):
        raise SettingError("WARMLINE_LLM_URL and WARMLINE_LLM_MODEL: both are needed with "
                           "WARMLINE_AGENT=llm")
