"""Ctrl+C with event streams open: the server ends them and exits at once, instead of
waiting for each stream's own end (25 s for the web chat, which held `make demo` for
about 22 s with one chat tab open). A real `warmline serve`, real streams over TCP."""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path

import httpx
from tests.serve_process import Server

from warmline.adapters.storage.migrate import upgrade
from warmline.entrypoints.http.shutdown import chain_stop_signals

STREAM_SECONDS = 25.0  # how long a web chat stream lasts on its own (webchat_router)


def _open_stream(base: str, opened: threading.Semaphore, ended: list[float]) -> None:
    with httpx.Client(base_url=base, timeout=60) as http:
        s = http.post("/webchat/sessions", json={}).json()
        with http.stream("GET", f"/webchat/sessions/{s['session_id']}/events",
                         params={"token": s["token"]}) as r:
            assert r.status_code == 200
            for line in r.iter_lines():
                if line.startswith("retry:"):
                    opened.release()
    ended.append(time.monotonic())


def test_ctrl_c_ends_open_web_chat_streams_and_the_server_exits_at_once(
        tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    upgrade(url)
    server = Server(url, workers=1, log=tmp_path / "serve.log")
    opened, ended = threading.Semaphore(0), []
    with server:
        streams = [threading.Thread(target=_open_stream, args=(server.base, opened, ended))
                   for _ in range(3)]
        for t in streams:
            t.start()
        for _ in streams:
            assert opened.acquire(timeout=60), "the stream opened"
        assert server.proc is not None
        stopped = time.monotonic()
        server.proc.send_signal(signal.SIGINT)  # what Ctrl+C sends
        server.proc.wait(timeout=60)
        exited = time.monotonic() - stopped
        for t in streams:
            t.join(timeout=60)
    assert len(ended) == 3, "every stream was closed by the server"
    assert max(ended) - stopped < STREAM_SECONDS / 2, "closed at the stop, not at their end"
    assert exited < STREAM_SECONDS / 2, (exited, (tmp_path / "serve.log").read_text())


def test_the_stop_signal_reaches_the_streams_and_then_the_server_handler() -> None:
    calls: list[str] = []
    before = signal.signal(signal.SIGTERM, lambda *_: calls.append("server"))
    try:
        restore = chain_stop_signals(lambda: calls.append("streams"))
        signal.raise_signal(signal.SIGTERM)
        assert calls == ["streams", "server"]  # the streams learn first, the server stops
        restore()
        signal.raise_signal(signal.SIGTERM)
        assert calls == ["streams", "server", "server"]  # put back as it was
    finally:
        signal.signal(signal.SIGTERM, before)


def test_outside_the_main_thread_the_handlers_are_left_alone() -> None:
    found: list[object] = []

    def elsewhere() -> None:
        chain_stop_signals(lambda: None)
        found.append(signal.getsignal(signal.SIGINT))

    before = signal.getsignal(signal.SIGINT)
    t = threading.Thread(target=elsewhere)
    t.start()
    t.join()
    assert found == [before]
