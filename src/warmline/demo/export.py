"""The demo store as Warmline record JSON: the file `warmline import` reads back."""

from __future__ import annotations

from typing import Any

from warmline.domain.record.commerce import RecordBatch, _plain


def to_json(batch: RecordBatch) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for kind in RecordBatch.KINDS:
        rows = [_plain(x) for x in getattr(batch, kind)]
        if kind == "orders" or kind == "carts":
            for row in rows:
                for li in row["lines"]:
                    li.pop("line_id", None)
        out[kind] = rows
    return out
