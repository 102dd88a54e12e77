"""Policy activations kept as JSON lines in a file beside the active policy.

A file rather than a table: the activation log belongs with the policy file it
describes (they are deployed and backed up together), and it needs no migration.
"""

from __future__ import annotations

import json
from pathlib import Path

from warmline.domain.measure.policy_lifecycle import PolicyActivated


class JsonlPolicyLog:
    def __init__(self, path: Path) -> None:
        self.path = path

    def append(self, event: PolicyActivated) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as f:
            f.write(json.dumps(event.to_dict(), ensure_ascii=False) + "\n")

    def history(self) -> list[PolicyActivated]:
        if not self.path.is_file():
            return []
        return [PolicyActivated.from_dict(json.loads(line))
                for line in self.path.read_text(encoding="utf-8").splitlines() if line.strip()]


def log_beside(policy_path: Path) -> JsonlPolicyLog:
    """The log of `policy.yaml` is `policy.yaml.activations.jsonl`."""
    return JsonlPolicyLog(policy_path.with_name(policy_path.name + ".activations.jsonl"))
