"""Time, and where policy activations are recorded."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from warmline.domain.measure.policy_lifecycle import PolicyActivated


class Clock(Protocol):
    def now(self) -> datetime: ...


class PolicyLog(Protocol):
    """Where policy activations are recorded (append-only)."""

    def append(self, event: PolicyActivated) -> None: ...

    def history(self) -> list[PolicyActivated]:
        """Every activation, oldest first."""
        ...
