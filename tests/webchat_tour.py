"""The demo's web chat through the whole seam in headless Chromium, with a screenshot.

Run by the browser test (tests/integration/test_webchat_browser.py) and by
`make screenshots`, which regenerates docs/webchat-seam.png. Warmline runs under uvicorn
on 127.0.0.1 (SQLite in a temporary directory, the reference agent, a fixed clock inside
business hours); the customer's side is driven in the real widget, the person's side
through the API, as a helpdesk would.
"""

from __future__ import annotations

import socket
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx
import uvicorn

from warmline.adapters.clock import FixedClock
from warmline.adapters.signals.lexical import LexicalSignals
from warmline.adapters.storage.migrate import upgrade
from warmline.bootstrap import bootstrap, sql_uow_factory
from warmline.config import Config
from warmline.entrypoints.http.app import create_app

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
OPEN = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)
#: The person's side goes through the API, as a helpdesk would: with a token.
ADMIN_TOKEN = "webchat-tour-admin-token"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@contextmanager
def warmline_server(folder: Path) -> Iterator[str]:
    url = f"sqlite:///{folder / 'warmline.db'}"
    upgrade(url)
    config = Config.from_env({"WARMLINE_DATABASE_URL": url, "WARMLINE_AGENT": "reference",
                              "WARMLINE_ADMIN_TOKEN": ADMIN_TOKEN})
    wl = bootstrap(config, uow=sql_uow_factory(url), signals=LexicalSignals(),
                   clock=FixedClock(OPEN))
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(create_app(wl), log_level="error"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("warmline did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def tour(screenshot: Path) -> dict[str, object]:
    """Walk the seam in the browser; returns what the test asserts on."""
    from playwright.sync_api import expect, sync_playwright

    with tempfile.TemporaryDirectory() as tmp, warmline_server(Path(tmp)) as base, \
            httpx.Client(base_url=base, timeout=10, headers=ADMIN) as api, \
            sync_playwright() as pw:
        api.put("/v1/agents/ana", json={"name": "Ana", "skills": ["retention"],
                                        "languages": ["en"]})
        api.put("/v1/agents/ana/presence", json={"presence": "online"})
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 900, "height": 1500})
        page.goto(f"{base}/webchat/demo")
        page.click(".wl-launch")
        page.fill("#wl-input", "Hi, what is your return policy?")
        page.click(".wl-send")
        chat = page.locator(".wl-log")
        expect(chat.locator(".wl-choices button", has_text="Talk to a person")).to_be_visible(
            timeout=10_000)  # the bot's answer carries the one-tap route
        page.click(".wl-human")  # the one-tap route to a person
        expect(chat).to_contain_text("in line", timeout=10_000)  # the expectation
        thread = api.get("/v1/conversations").json()["ids"][0]
        handoff = api.get(f"/v1/conversations/{thread}/handoff").json()
        if handoff["state"] == "queued":
            api.post("/v1/agents/ana/claims", json={})
        api.post(f"/v1/handoffs/{handoff['id']}/confirm", json={"agent_id": "ana"})
        draft = api.get(f"/v1/conversations/{thread}/human-reply-draft").json()["text"]
        api.post(f"/v1/conversations/{thread}/human-replies",
                 json={"text": draft, "author": "ana"})
        expect(chat).to_contain_text(draft[:40], timeout=10_000)  # the person's reply
        api.post(f"/v1/handoffs/{handoff['id']}/resolve", json={"by": "ana"})
        csat = page.locator(".wl-log .wl-choices button", has_text="Great")
        expect(csat).to_be_visible(timeout=10_000)
        csat.click()
        expect(chat).to_contain_text("Thank you for telling us", timeout=10_000)
        page.add_style_tag(content=(  # the whole thread in one picture, not a scrolled box
            ".wl-log{max-height:none!important;height:auto!important;"
            "overflow:visible!important;flex:none!important}"
            ".wl-panel{top:12px!important;bottom:auto!important;height:auto!important;"
            "max-height:none!important}.wl-launch{display:none!important}"))
        lines = page.locator(".wl-log li").all_inner_texts()
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(screenshot), full_page=True)
        browser.close()
        events = api.get(f"/v1/conversations/{thread}").json()["events"]
        return {"lines": lines, "draft": draft,
                "csat": [e["score"] for e in events if e["type"] == "CsatReceived"]}


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/webchat-seam.png")
    seen = tour(out)
    print(f"wrote {out}: {len(seen['lines'])} lines, CSAT {seen['csat']}")  # type: ignore[arg-type]
