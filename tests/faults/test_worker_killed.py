"""A `warmline serve` worker killed (SIGKILL) in the middle of handling a message.

The kill lands at a known moment through the fault-injection pause (warmline/faults.py):
after the message's events are written but before the commit, or after the commit but
before the answer. Either way the client gets no acknowledgement, and the database holds
the message fully (stored and judged) or not at all. The client's retry with the same
message_id (answered by the surviving worker, or the one uvicorn starts in its place) then
succeeds, and exactly one message is stored.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import httpx
import pytest
from tests.serve_process import ADMIN, Server, judged_once, post_message, stored


@pytest.mark.parametrize("moment", ["before_commit", "after_commit"])
def test_a_worker_killed_mid_message_leaves_it_whole_or_absent_and_the_retry_stores_it_once(
        database_url: str, tmp_path: Path, moment: str) -> None:
    marker = tmp_path / "paused"
    env = {"WARMLINE_FAULT_PAUSE": f"{moment}:60", "WARMLINE_FAULT_MARKER": str(marker)}
    text = "I want to cancel my order #10432"
    with Server(database_url, workers=2, env=env, log=tmp_path / "serve.log") as server:
        answer: list[object] = []

        def send() -> None:
            with httpx.Client(base_url=server.base, timeout=90, headers=ADMIN) as http:
                try:
                    answer.append(post_message(http, "killed-1", "wa-kill-1", text))
                except httpx.HTTPError as exc:
                    answer.append(exc)

        client = threading.Thread(target=send)
        client.start()
        for _ in range(600):
            if marker.exists() and marker.read_text():
                break
            time.sleep(0.05)
        worker = int(marker.read_text())
        assert worker != server.proc.pid  # type: ignore[union-attr]  # a worker, not uvicorn
        os.kill(worker, signal.SIGKILL)
        client.join(timeout=60)
        assert len(answer) == 1 and isinstance(answer[0], httpx.HTTPError), \
            "no acknowledgement from a killed worker"

        state = stored(database_url)
        if moment == "before_commit":
            assert state["inbound"] == [] and not state["messages"]  # absent, wholly
        else:
            assert [m for m, _, _ in state["inbound"]] == ["wa-kill-1"]  # whole: judged
            assert judged_once(state)

        with httpx.Client(base_url=server.base, timeout=30, headers=ADMIN) as http:
            retried = None
            for _ in range(100):  # until a worker answers (uvicorn replaces the dead one)
                try:
                    retried = post_message(http, "killed-1", "wa-kill-1", text)
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            assert retried is not None
            assert retried.status_code == (201 if moment == "before_commit" else 200)
            assert retried.json()["decision"]["escalate"] is True  # cancellation: money_risk
            again = post_message(http, "killed-1", "wa-kill-1", text)
            assert again.status_code == 200 and again.json()["duplicate"] is True

    state = stored(database_url)
    assert [m for m, _, _ in state["inbound"]] == ["wa-kill-1"]
    assert state["messages"]["wa-kill-1"] == 1 and judged_once(state)
