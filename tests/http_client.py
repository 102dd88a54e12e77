"""An in-process client holding the environment's admin token: for tests about something
other than access (tests/integration/test_access_*.py test access itself)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from fastapi.testclient import TestClient

from warmline.bootstrap import Warmline
from warmline.entrypoints.http.app import create_app

ADMIN_TOKEN = "test-admin-token"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def with_admin_token(wl: Warmline) -> Warmline:
    wl.config = replace(wl.config, admin_token=ADMIN_TOKEN)
    return wl


def admin_client(wl: Warmline, **kwargs: Any) -> TestClient:
    """The app for `wl`, every request sent with the admin token."""
    return TestClient(create_app(with_admin_token(wl)), headers=ADMIN, **kwargs)
