"""Typed settings: one table of (name, default, help) that feeds the CLI, docs and code.

Every setting is read from the environment as WARMLINE_<NAME>; a test fails if a
setting is missing from docs/configuration.md.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
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
    Setting("record", "", "path of a JSON commerce record to read customers and orders from; "
            "empty means no record"),
    Setting("signals", "lexical", "signal provider: `lexical` (VADER + word overlap)"),
    Setting("host", "127.0.0.1", "address `warmline serve` listens on"),
    Setting("port", "8000", "port `warmline serve` listens on"),
    Setting("max_body_bytes", "65536", "largest request body the API accepts"),
    Setting("max_message_chars", "4000", "longest message text the API accepts"),
)


@dataclass(frozen=True)
class Config:
    database_url: str
    policy: Path | None
    record: Path | None
    signals: str
    host: str
    port: int
    max_body_bytes: int
    max_message_chars: int

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: str) -> Config:
        env = os.environ if env is None else env
        raw = {s.name: overrides.get(s.name) or env.get(f"WARMLINE_{s.name.upper()}", s.default)
               for s in SETTINGS}
        if raw["signals"] not in ("lexical",):
            raise ValueError(f"WARMLINE_SIGNALS: unknown provider {raw['signals']!r} "
                             "(known: lexical)")
        for name in ("port", "max_body_bytes", "max_message_chars"):
            if not raw[name].isdigit():
                raise ValueError(f"WARMLINE_{name.upper()}: expected a whole number, "
                                 f"got {raw[name]!r}")
        return cls(database_url=raw["database_url"],
                   policy=Path(raw["policy"]) if raw["policy"] else None,
                   record=Path(raw["record"]) if raw["record"] else None,
                   signals=raw["signals"], host=raw["host"], port=int(raw["port"]),
                   max_body_bytes=int(raw["max_body_bytes"]),
                   max_message_chars=int(raw["max_message_chars"]))


