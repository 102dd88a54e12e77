"""The agent console in a real browser (Debian's Chromium via Playwright), against a real
uvicorn server on a free port and a real SQLite file (tests/console_tour.py).

An agent signs in, sees a handoff appear live (created over the API after the page is
open), claims it with the keyboard, reads the package, replies, transfers, claims again
and resolves; a supervisor sees the change; another agent is refused the conversation.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.console_tour import (
    ADMIN,
    ARGS,
    CHROMIUM,
    MARIA,
    Server,
    console_server,
    escalate,
    people,
    sign_in,
)

pytest.importorskip("playwright.sync_api", reason="pip install -e '.[dev]' for playwright")
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason="Debian's chromium (make test installs it)")


@pytest.fixture
def server() -> Iterator[tuple[Server, httpx.Client]]:
    with tempfile.TemporaryDirectory() as tmp, console_server(Path(tmp)) as srv, \
            httpx.Client(base_url=srv.base, timeout=10, headers=ADMIN) as api:
        people(api, srv.wl)
        yield srv, api


@pytest.fixture
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


def test_an_agent_takes_a_handoff_from_arrival_to_resolution(
        server: tuple[Server, httpx.Client], browser: Any) -> None:
    from playwright.sync_api import expect

    srv, api = server
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(page, srv.base, "ana")
    expect(page.locator("#live-state")).to_have_text("live", timeout=10_000)
    expect(page.locator("#lane-priority")).to_contain_text("priority")
    assert page.locator(".card").count() == 0

    escalate(api, "maria", *MARIA)  # arrives while the page is open
    card = page.locator(".card", has_text="Maria Keller")
    expect(card).to_be_visible(timeout=10_000)  # pushed over SSE, no reload
    expect(card).to_contain_text("money risk")
    expect(card).to_contain_text("€2,350.00")

    page.click("text=Go online")  # coming online, the waiting handoff is offered to Ana
    mine = page.locator(".mine .card", has_text="Maria Keller")
    expect(mine).to_contain_text("offered to you")
    mine.get_by_role("link").click()
    page.wait_for_url("**/console/conversations/maria")
    page.wait_for_load_state()  # the shortcuts are bound once the page has loaded
    page.keyboard.press("c")  # accept it
    expect(page.locator("#status")).to_have_text("Claimed: it is yours.")
    package = page.locator(".package")
    expect(package).to_contain_text("wants a refund of €184.00 for order #1043")
    expect(package).to_contain_text("Approve the refund")
    expect(page.locator(".thread mark.evidence").first).to_have_text("refund")
    assert page.locator("#reply").input_value().startswith("Hi Maria")  # the opener

    page.keyboard.press("r")
    page.keyboard.press("Control+Enter")
    expect(page.locator(".msg.human")).to_contain_text("Hi Maria", timeout=10_000)

    page.select_option("#to_queue", "billing")
    page.fill("#reason", "needs refund rights")
    page.get_by_role("button", name="Transfer").click()
    expect(page.locator(".thread")).to_contain_text("transferred priority → billing")
    page.wait_for_load_state()
    page.keyboard.press("c")  # billing is one of Ana's queues: take it again
    expect(page.locator("#status")).to_have_text("Claimed: it is yours.")
    page.keyboard.press("e")
    page.keyboard.type("refund approved")
    page.keyboard.press("Enter")
    expect(page.locator("#status")).to_have_text("Resolved.")
    expect(page.locator(".thread")).to_contain_text("resolved it")

    boss = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(boss, srv.base, "sam", "/console/supervisor")
    kpis = boss.locator(".kpis")
    expect(kpis).to_contain_text("handoffs today")
    expect(boss.locator("table.grid").nth(1)).to_contain_text("Ana Silva")
    assert "—" not in kpis.locator("div", has_text="time to a human").inner_text()
    assert boss.locator(".kpis div", has_text="waiting now").locator("dd").inner_text() == "0"

    escalate(api, "late", "c-5120", "Hi, my stand mixer (order #5120) still hasn't arrived. "
             "It was supposed to come last week!")
    expect(boss.locator(".kpis div", has_text="waiting now").locator("dd")).to_have_text(
        "1", timeout=10_000)  # the supervisor's page follows live too

    other = browser.new_context().new_page()
    sign_in(other, srv.base, "bo")
    refused = other.goto(f"{srv.base}/console/conversations/maria")
    assert refused is not None and refused.status == 403
    expect(other.locator("h1")).to_have_text("This conversation is not in one of your queues.")
    events = [e["type"] for e in api.get("/v1/conversations/maria").json()["events"]]
    assert events.count("HandoffAccepted") == 2 and "HandoffResolved" in events
