"""The fault-injection pause: off unless its test-only settings name a point."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from warmline import faults


def test_no_pause_unless_the_point_and_a_marker_are_named(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    marker = tmp_path / "paused"
    monkeypatch.delenv("WARMLINE_FAULT_PAUSE", raising=False)
    monkeypatch.setenv("WARMLINE_FAULT_MARKER", str(marker))
    faults.point("before_commit")
    monkeypatch.setenv("WARMLINE_FAULT_PAUSE", "after_commit:0.01")
    faults.point("before_commit")  # another point
    monkeypatch.delenv("WARMLINE_FAULT_MARKER")
    faults.point("after_commit")  # no marker
    assert not marker.exists()


def test_the_first_arrival_writes_its_pid_and_pauses_and_later_ones_pass(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    marker = tmp_path / "paused"
    monkeypatch.setenv("WARMLINE_FAULT_PAUSE", "after_commit:0.2")
    monkeypatch.setenv("WARMLINE_FAULT_MARKER", str(marker))
    started = time.monotonic()
    faults.point("after_commit")
    assert time.monotonic() - started >= 0.2
    assert marker.read_text() == str(os.getpid())
    started = time.monotonic()
    faults.point("after_commit")
    assert time.monotonic() - started < 0.2


def test_a_mistyped_point_is_refused_naming_the_variable(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WARMLINE_FAULT_PAUSE", "before_comit:30")
    with pytest.raises(ValueError, match=r"^WARMLINE_FAULT_PAUSE: "):
        faults.point("before_commit")
