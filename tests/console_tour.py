"""The agent console in headless Chromium: a server with the demo store, and screenshots.

Used by the browser test (tests/e2e/test_console_browser.py) and by `make screenshots`,
which regenerates docs/console-queue.png, docs/console-conversation.png and
docs/console-supervisor.png. Warmline runs under uvicorn on 127.0.0.1 with SQLite in a
temporary directory, the Hearthwell demo store as the record, lexical signals and a
clock the tour moves by hand (so waiting times and SLA states are real and repeatable).
"""

from __future__ import annotations

import socket
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from warmline.adapters.commerce.sql import SqlCommerceRecord
from warmline.adapters.signals.lexical import LexicalSignals
from warmline.adapters.storage.migrate import upgrade
from warmline.bootstrap import Warmline, bootstrap
from warmline.config import Config
from warmline.demo.store import build
from warmline.domain.access import Role
from warmline.domain.record.commerce import RecordBatch
from warmline.entrypoints.http.app import create_app
from warmline.service import access

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
OPEN = datetime(2026, 11, 25, 13, 0, tzinfo=UTC)  # a Wednesday, 14:00 in Berlin: open
PASSWORD = "correct horse battery"
#: The API calls of the tour (people, customer messages) use the admin token; the
#: browser signs in as the people.
ADMIN_TOKEN = "console-tour-admin-token"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}

#: Customers of the demo store and what they write; each escalates on its first message.
STORIES = [
    ("c-2051", "please cancel order 2051, I ordered the wrong size"),
    ("c-3307", "Can I return the jacket from order #3307? It doesn't fit."),
    ("c-5120", "Hi, my stand mixer (order #5120) still hasn't arrived. It was supposed to "
               "come last week!"),
    ("c-7300", "My kettle from order 7300 has stopped working again. This is the THIRD "
               "time!!"),
    ("c-4410", "I need to change the delivery address for order 4410"),
]
#: A full-page picture: the help line where it ends the page, the thread unscrolled.
STILL = ".help{position:static!important}.thread{max-height:none!important}"
MARIA = ("c-1001", "Hi, the blender from order #1043 stopped working. I would like a refund.")


class HandClock:
    """The server's clock; the tour sets it (handoffs routed minutes apart)."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


@dataclass
class Server:
    base: str
    wl: Warmline
    clock: HandClock
    url: str  # the database's, which also holds the record
    built_at: datetime  # the demo store's "now"


def change_order(srv: Server, order_id: str, status: str) -> None:
    """The record moves after the handoff (the console shows what changed since)."""
    record = SqlCommerceRecord(srv.url)
    order = next(o for o in build(srv.built_at).orders if o.id == order_id)
    record.write(RecordBatch(orders=[replace(order, status=status)]))


@contextmanager
def console_server(folder: Path, at: datetime = OPEN) -> Iterator[Server]:
    url = f"sqlite:///{folder / 'warmline.db'}"
    upgrade(url)
    record = SqlCommerceRecord(url)
    record.write(build(at))
    clock = HandClock(at)
    config = Config.from_env({"WARMLINE_DATABASE_URL": url, "WARMLINE_SWEEP_SECONDS": "0",
                              "WARMLINE_SIGNALS": "lexical", "WARMLINE_AGENT": "none",
                              "WARMLINE_ADMIN_TOKEN": ADMIN_TOKEN})
    wl = bootstrap(config, signals=LexicalSignals(), clock=clock)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(create_app(wl), log_level="error",
                                           timeout_graceful_shutdown=1))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("warmline did not start")
        time.sleep(0.05)
    try:
        yield Server(f"http://127.0.0.1:{sock.getsockname()[1]}", wl, clock, url, at)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def people(api: httpx.Client, wl: Warmline) -> None:
    """Ana (senior, retention, billing), Bo (fulfilment) and Sam the supervisor."""
    api.put("/v1/agents/ana", json={"name": "Ana Silva", "skills": ["senior", "retention",
                                                                    "billing"],
                                    "languages": ["en", "de"], "capacity": 3})
    api.put("/v1/agents/bo", json={"name": "Bo Lind", "skills": ["fulfilment"],
                                   "languages": ["en"], "capacity": 2})
    assert wl.access is not None
    access.add_user(wl.access, "ana", Role.AGENT, PASSWORD, agent_id="ana")
    access.add_user(wl.access, "bo", Role.AGENT, PASSWORD, agent_id="bo")
    access.add_user(wl.access, "sam", Role.SUPERVISOR, PASSWORD)


def escalate(api: httpx.Client, cid: str, ref: str | None, text: str) -> dict[str, Any]:
    body = {"message_id": f"{cid}-m1", "text": text, "reply": False,
            **({"customer_ref": ref} if ref else {})}
    r = api.post(f"/v1/conversations/{cid}/messages", json=body)
    r.raise_for_status()
    assert r.json()["decision"]["escalate"], r.json()
    found: dict[str, Any] = api.get(f"/v1/conversations/{cid}/handoff").json()
    return found


def maria_story(api: httpx.Client, clock: HandClock) -> dict[str, Any]:
    """Maria talks to the bot for two turns before the refund request escalates."""
    for n, (customer, bot) in enumerate([
            ("Hi! My blender stopped working.",
             "I'm sorry to hear that. Have you tried a reset: unplug it for a minute, then "
             "hold the pulse button for five seconds?"),
            ("I tried that, but it does not turn on at all.",
             "Thanks for trying that. You can return an item within 30 days of delivery "
             "from your orders page.")]):
        api.post("/v1/conversations/maria/messages", json={
            "message_id": f"maria-{n}", "customer_ref": MARIA[0], "text": customer,
            "reply": False}).raise_for_status()
        clock.at += timedelta(seconds=20)
        api.post("/v1/conversations/maria/agent-replies", json={
            "message_id": f"maria-bot-{n}", "text": bot, "confidence": 0.8,
            "intent": "product_fault"}).raise_for_status()
        clock.at += timedelta(seconds=25)
    return escalate(api, "maria", *MARIA)


def sign_in(page: Any, base: str, name: str, target: str = "/console") -> None:
    page.goto(f"{base}{target}")
    page.fill("#name", name)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"**{target}**")


def tour(out: Path) -> dict[str, Any]:
    """Seed a morning's queue, then screenshot the three views into `out`."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, console_server(Path(tmp),
                                                              OPEN - timedelta(minutes=9)) \
            as srv, httpx.Client(base_url=srv.base, timeout=10, headers=ADMIN) as api, \
            sync_playwright() as pw:
        people(api, srv.wl)
        for n, (ref, text) in enumerate(STORIES):
            escalate(api, f"chat-{n + 1}", ref, text)
            srv.clock.at += timedelta(minutes=1, seconds=37)
        srv.clock.at -= timedelta(minutes=2)
        maria_story(api, srv.clock)
        change_order(srv, "1043", "return_requested")
        srv.clock.at = OPEN
        api.put("/v1/agents/bo/presence", json={"presence": "online"})
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        sign_in(page, srv.base, "ana")
        out.mkdir(parents=True, exist_ok=True)
        page.add_style_tag(content=STILL)
        page.screenshot(path=str(out / "console-queue.png"), full_page=True)
        page.click("text=Go online")
        page.goto(f"{srv.base}/console/conversations/maria")
        page.keyboard.press("c")
        page.wait_for_selector("text=Claimed")
        page.fill("#note", "VIP, German-speaking: reply in German if she switches.")
        page.click("text=Add note")
        page.wait_for_selector(".msg.note")
        page.add_style_tag(content=STILL)
        page.screenshot(path=str(out / "console-conversation.png"), full_page=True)
        page.keyboard.press("r")
        page.keyboard.press("Control+Enter")
        page.wait_for_selector(".msg.human")
        supervisor = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
        sign_in(supervisor, srv.base, "sam", "/console/supervisor")
        supervisor.add_style_tag(content=STILL)
        supervisor.screenshot(path=str(out / "console-supervisor.png"), full_page=True)
        browser.close()
        return {"shots": sorted(p.name for p in out.glob("console-*.png"))}


if __name__ == "__main__":
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "docs")
    print(f"wrote {', '.join(tour(folder)['shots'])} into {folder}")
