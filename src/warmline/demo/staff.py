"""The demo store's team: three people in the routing, one user per role, a bot token.

Passwords are fixed so the README can say how to sign in; they are for the demo on
127.0.0.1 only (docs/security.md). Loading twice replaces the users and issues a new
bot token.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from warmline.bootstrap import Warmline
from warmline.domain import commands as cmd
from warmline.domain.access import Role
from warmline.service import access


@dataclass(frozen=True)
class DemoPerson:
    user: str
    role: Role
    password: str
    agent_id: str | None = None
    name: str = ""
    skills: tuple[str, ...] = ()
    languages: tuple[str, ...] = ("en",)
    capacity: int = 3


TEAM = (
    DemoPerson("ana", Role.AGENT, "ana-demo-password", "ana", "Ana Ortiz",
               ("fulfilment", "billing", "kitchen", "living", "apparel"), ("en", "de")),
    DemoPerson("ben", Role.AGENT, "ben-demo-password", "ben", "Ben Adler",
               ("retention", "senior"), ("en", "fr")),
    DemoPerson("sam", Role.SUPERVISOR, "sam-demo-password", "sam", "Sam Reyes",
               ("senior", "retention", "billing", "fulfilment"), ("en", "de", "fr")),
    DemoPerson("admin", Role.ADMIN, "admin-demo-password"),
)


def load_team(wl: Warmline, token_out: Path | None) -> list[str]:
    """Create the routing's people, the users and a bot token; lines to print."""
    assert wl.access is not None
    lines = []
    for p in TEAM:
        if p.agent_id:
            wl.bus.handle(cmd.SaveAgent(agent_id=p.agent_id, name=p.name, skills=p.skills,
                                    languages=p.languages, capacity=p.capacity))
        access.add_user(wl.access, p.user, p.role, p.password, p.agent_id)
        lines.append(f"  {p.role.value:<10} {p.user:<6} password {p.password}")
    issued = access.issue_token(wl.access, "demo-bot", Role.BOT)
    if token_out is not None:
        token_out.parent.mkdir(parents=True, exist_ok=True)
        token_out.touch(mode=0o600)
        token_out.write_text(issued.secret + "\n", "utf-8")
        lines.append(f"  bot token for `warmline demo` written to {token_out}")
    return lines
