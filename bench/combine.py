"""Combine every benchmark's JSON in a folder into one file (`make bench` writes
var/bench/all.json): {"machine": ..., "generated_at": ..., "<bench name>": <its JSON>}.

    .venv/bin/python bench/combine.py var/bench [--out var/bench/all.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
from datetime import UTC, datetime
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    out = args.out or args.folder / "all.json"
    combined: dict[str, object] = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cores": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform()}}
    for path in sorted(args.folder.glob("*.json")):
        if path.resolve() != out.resolve():
            combined[path.stem] = json.loads(path.read_text(encoding="utf-8"))
    out.write_text(json.dumps(combined, indent=2) + "\n", encoding="utf-8")
    print(f"{out}: {', '.join(k for k in combined if k not in ('generated_at', 'machine'))}")


if __name__ == "__main__":
    main()
