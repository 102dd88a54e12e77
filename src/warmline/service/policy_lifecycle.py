"""Activate a policy version: validate it, put it in place, record who did it."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from warmline.domain.measure.policy_diff import describe_changes
from warmline.domain.measure.policy_lifecycle import PolicyActivated
from warmline.domain.policy import Policy
from warmline.ports import PolicyLog


def activate(candidate: Path, target: Path, *, by: str, log: PolicyLog, now: datetime,
             parse: Callable[[str, str], Policy],
             default: Callable[[], Policy]) -> PolicyActivated:
    """Check `candidate`, replace `target` with it atomically, append the activation.
    A version label already activated before cannot be reused for different content:
    decisions name versions, so one label must mean one policy. `parse` reads a policy
    from its text (naming the source); `default` is the packaged policy."""
    text = candidate.read_text(encoding="utf-8")
    new = parse(text, str(candidate))
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    for past in log.history():
        if past.version == new.version and past.digest != digest:
            raise ValueError(f"version {new.version!r} was activated before with other "
                             f"content; give the new policy a new version")
    old = parse(target.read_text(encoding="utf-8"), str(target)) if target.is_file() \
        else default()
    event = PolicyActivated(version=new.version, name=new.name, by=by, occurred_at=now,
                            previous_version=old.version, digest=digest,
                            changes=tuple(describe_changes(old, new)))
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, target)
    log.append(event)
    return event
