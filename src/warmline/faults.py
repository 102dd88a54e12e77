"""Fault injection for the fault tests: a pause at a named point, off unless asked for.

FOR TESTS ONLY. Nothing happens unless the environment names a point:

    WARMLINE_FAULT_PAUSE=before_commit:30   # or after_commit:30
    WARMLINE_FAULT_MARKER=/tmp/x/paused      # written (with this process id) on arrival

The first request to reach the point writes the marker file (created exclusively, so only
one request ever pauses) and sleeps for the given seconds, which lets a test kill the
worker process (`kill -9` on the pid in the marker) at a known moment: between the events
being written and their commit, or between the commit and the answer to the client. Later
requests pass through. Both variables are declared in config.py as test-only settings
(why there: its docstring): checked like any setting, listed apart in
docs/configuration.md, never in the operator table, and never set by Warmline itself
(docs/benchmarks.md, "Faults").
"""

from __future__ import annotations

import os
import time

from warmline import config


def point(name: str) -> None:
    """Pause here if WARMLINE_FAULT_PAUSE names this point and no request paused yet.

    `name` is one of config.FAULT_POINTS."""
    wanted = config.read("fault_pause")
    if wanted is None or wanted[0] != name:
        return
    marker = config.read("fault_marker")
    if marker is None:
        return
    try:
        fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return  # one pause per marker: the client's retry goes through
    with os.fdopen(fd, "w") as out:
        out.write(str(os.getpid()))
    time.sleep(wanted[1])
