"""What changed between two policies, in words a support lead can review.

Both policies are compared in their full form (`Policy.to_mapping()`, defaults filled
in), so a key left out of one file but set to its default in the other is no change.
Lists of names (routing rules, intents) say what was added, removed or reordered; lists
of sections (routing rules) are matched by their `name`; each line carries the setting's
help text so the reader knows what the number governs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from warmline.domain.policy import Policy, reference


def _helps() -> dict[str, str]:
    return {key: text for key, _, text in reference()}


def _help_for(key: str, helps: dict[str, str]) -> str:
    """The help line of a dotted key; `rules[name].x` is documented as `rules[].x`."""
    return helps.get(re.sub(r"\[[^\]]*\]", "[]", key), "")


def _fmt(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ", ".join(value) if value else "(none)"
    return repr(value) if isinstance(value, str) else str(value)


def _walk(path: str, a: Any, b: Any) -> Iterator[str]:
    if a == b:
        return
    if isinstance(a, dict) and isinstance(b, dict):
        for key in [*a, *(k for k in b if k not in a)]:
            sub = f"{path}.{key}" if path else str(key)
            if key not in b:
                yield f"{sub}: removed (was {_fmt(a[key])})"
            elif key not in a:
                yield f"{sub}: added ({_fmt(b[key])})"
            else:
                yield from _walk(sub, a[key], b[key])
        return
    if (isinstance(a, list) and isinstance(b, list) and a + b
            and all(isinstance(x, dict) and "name" in x for x in a + b)):
        yield from _sections(path, a, b)
        return
    if isinstance(a, list) and isinstance(b, list) and all(isinstance(x, str) for x in a + b):
        added = [x for x in b if x not in a]
        removed = [x for x in a if x not in b]
        parts = ([f"added {', '.join(added)}"] if added else []) + (
            [f"removed {', '.join(removed)}"] if removed else [])
        yield f"{path}: {'; '.join(parts) or 'reordered'} (now {_fmt(b)})"
        return
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        word = "raised" if b > a else "lowered"
        yield f"{path}: {word} from {_fmt(a)} to {_fmt(b)}"
        return
    if isinstance(a, bool) and isinstance(b, bool):
        yield f"{path}: turned {_fmt(b)}"
        return
    yield f"{path}: changed from {_fmt(a)} to {_fmt(b)}"


def _sections(path: str, a: list[dict[str, Any]], b: list[dict[str, Any]]) -> Iterator[str]:
    old = {x["name"]: x for x in a}
    new = {x["name"]: x for x in b}
    for name in old:
        if name not in new:
            yield f"{path}: rule {name!r} removed"
    for i, x in enumerate(b):
        name = x["name"]
        if name not in old:
            yield f"{path}: rule {name!r} added at position {i + 1}"
        else:
            yield from _walk(f"{path}[{name}]", old[name], x)
    kept_a = [n for n in old if n in new]
    kept_b = [n for n in new if n in old]
    if kept_a != kept_b:
        yield f"{path}: order changed (first match wins): now {', '.join(kept_b)}"


def describe_changes(a: Policy, b: Policy) -> list[str]:
    """One sentence per change from `a` to `b`, each with what the setting does."""
    helps = _helps()
    lines = []
    for line in _walk("", a.to_mapping(), b.to_mapping()):
        key = line.split(":", 1)[0]
        text = _help_for(key, helps)
        lines.append(f"{line} — {text}" if text and key != "version" else line)
    return lines
