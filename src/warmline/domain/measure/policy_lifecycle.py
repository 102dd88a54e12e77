"""Policy activation as a recorded fact: which version became active, replacing which,
who did it, when, and what changed in words (`policy_diff.describe_changes`).

Decisions already name the version that made them (`DecisionMade.policy_version`); this
record says when each version started to be the one making them, so a month's figures
can be read against the policy changes made during it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, kw_only=True)
class PolicyActivated:
    version: str
    name: str
    by: str
    occurred_at: datetime
    previous_version: str | None
    digest: str  # sha256 of the YAML text that became active
    changes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["occurred_at"] = self.occurred_at.isoformat()
        data["changes"] = list(self.changes)
        return {"type": "PolicyActivated", **data}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PolicyActivated:
        values = {k: v for k, v in data.items() if k != "type"}
        values["occurred_at"] = datetime.fromisoformat(values["occurred_at"])
        values["changes"] = tuple(values.get("changes", ()))
        return cls(**values)
