"""The demo's web chat shows the whole seam in a real browser (headless Chromium).

Drives tests/webchat_tour.py: the customer types in the widget, taps "Talk to a person",
reads the expectation, the person's reply (pre-filled opener) and the CSAT question, and
taps a score, which is stored. `make screenshots` runs the same tour into docs/.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.webchat_tour import CHROMIUM, tour

pytest.importorskip("playwright.sync_api", reason="pip install -e '.[dev]' for playwright")
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason="Debian's chromium (make test installs it)")


def test_the_demo_web_chat_shows_the_whole_seam_in_a_browser(tmp_path: Path) -> None:
    seen = tour(tmp_path / "seam.png")
    lines = [str(line) for line in seen["lines"]]  # type: ignore[attr-defined]
    assert any("Talk to a person" in line for line in lines)  # the one-tap route was used
    assert any("number 1 in line" in line and "min" in line for line in lines)
    assert any(str(seen["draft"]) in line for line in lines)  # the person, on the thread
    assert any("How did we do today?" in line for line in lines)
    assert seen["csat"] == [5]
    assert (tmp_path / "seam.png").stat().st_size > 10_000
