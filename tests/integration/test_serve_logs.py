"""`WARMLINE_LOG_FORMAT=json`: every line `warmline serve` writes is one JSON object —
its own start-up lines, uvicorn's and the access log — with the same redaction of
personal data as text lines. A real server; its standard output and error read back."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
from tests.serve_process import ADMIN, Server

from warmline.adapters.storage.migrate import upgrade


def test_json_logs_are_one_object_a_line_and_carry_no_personal_data(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    upgrade(url)
    log = tmp_path / "serve.log"
    with Server(url, workers=1, env={"WARMLINE_LOG_FORMAT": "json"}, log=log) as server, \
            httpx.Client(base_url=server.base, headers=ADMIN) as http:
        assert http.get("/v1/customers/maria.keller@example.com").status_code == 404
    lines = [line for line in log.read_text(encoding="utf-8").splitlines() if line.strip()]
    entries = [json.loads(line) for line in lines]  # every line parses: nothing else
    assert all({"time", "level", "logger", "message"} <= set(e) for e in entries)
    loggers = {e["logger"] for e in entries}
    assert {"warmline.serve", "uvicorn.error", "uvicorn.access"} <= loggers
    access = [e["message"] for e in entries if e["logger"] == "uvicorn.access"]
    assert any("/v1/customers/[email]" in m for m in access)
    assert "maria.keller" not in log.read_text(encoding="utf-8")
