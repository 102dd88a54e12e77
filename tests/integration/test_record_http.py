"""The live commerce API adapter: clear errors, bearer auth, and Warmline degrading well.

A real HTTP server on 127.0.0.1 (tests/fake_commerce_api.py) serves the record; the
adapter must name the URL and the reason on every failure, and a customer message must
still be judged (without the record) when the API is down, with the package saying why.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.fake_commerce_api import FakeCommerceApi, serve
from tests.http_client import admin_client
from tests.samples import sample_batch

from warmline.adapters.commerce.http import HttpCommerceRecord
from warmline.adapters.commerce.memory import MemoryCommerceRecord
from warmline.bootstrap import bootstrap
from warmline.config import Config
from warmline.ports import RecordUnavailable


@pytest.fixture
def api() -> Iterator[FakeCommerceApi]:
    with serve(MemoryCommerceRecord(sample_batch())) as fake:
        yield fake


@pytest.mark.parametrize(("mode", "message"), [
    ("error", "answered HTTP 500"),
    ("not_json", "not JSON"),
    ("invalid", r"invalid record: orders\[0\]\.total"),
])
def test_a_failing_api_is_an_unavailable_record_naming_the_url(api: FakeCommerceApi,
                                                               mode: str,
                                                               message: str) -> None:
    api.mode = mode
    record = HttpCommerceRecord(api.url, timeout=2)
    with pytest.raises(RecordUnavailable, match=message) as info:
        record.customer_record("c-1001")
    assert f"{api.url}/customers/c-1001" in str(info.value)


def test_a_slow_api_times_out_after_the_configured_seconds(api: FakeCommerceApi) -> None:
    api.mode, api.delay = "slow", 1.0
    with pytest.raises(RecordUnavailable, match=r"did not answer within 0\.2s"):
        HttpCommerceRecord(api.url, timeout=0.2).customer_record("c-1001")


def test_an_unreachable_api_is_reported_as_such() -> None:
    with pytest.raises(RecordUnavailable, match="unreachable"):
        HttpCommerceRecord("http://127.0.0.1:9", timeout=1).customer_record("c-1")


def test_the_bearer_token_is_sent(api: FakeCommerceApi) -> None:
    api.token = "s3cret"
    with pytest.raises(RecordUnavailable, match="HTTP 401"):
        HttpCommerceRecord(api.url).customer_record("c-1001")
    assert HttpCommerceRecord(api.url, token="s3cret").customer_record("c-1001") is not None


def test_ids_are_escaped_in_the_path(api: FakeCommerceApi) -> None:
    assert HttpCommerceRecord(api.url).find_customer("whatsapp", "+4915550001") == "c-1001"
    assert HttpCommerceRecord(api.url).customer_record("a/b?c") is None
    assert api.requests[-1] == "/api/customers/a%2Fb%3Fc"


def test_a_bad_base_url_is_refused_at_start() -> None:
    with pytest.raises(ValueError, match="http:// or https://"):
        HttpCommerceRecord("ftp://shop")


def test_the_app_judges_on_the_live_api_and_degrades_when_it_is_down(
        api: FakeCommerceApi, sqlite_url: str) -> None:
    config = Config.from_env({"WARMLINE_DATABASE_URL": sqlite_url, "WARMLINE_RECORD": api.url,
                              "WARMLINE_RECORD_TIMEOUT": "1", "WARMLINE_SIGNALS": "lexical"})
    with admin_client(bootstrap(config)) as client:
        body = {"message_id": "m1", "customer_ref": "c-1001",
                "text": "I'd like a refund for order #1043 please"}
        decision = client.post("/v1/conversations/h1/messages", json=body).json()["decision"]
        assert {t["kind"] for t in decision["triggers"]} == {"money_risk", "policy_edge"}
        api.mode = "error"
        body = {**body, "message_id": "m2", "text": "get me a human please"}
        r = client.post("/v1/conversations/h2/messages", json=body)
        assert r.status_code == 201 and r.json()["decision"]["escalate"]
        view = client.get("/v1/conversations/h2/context").json()
        assert view["package"]["record"] is None
        assert "HTTP 500" in view["package"]["record_error"]
        assert view["live"]["available"] is False and "HTTP 500" in view["live"]["error"]
        assert client.get("/v1/customers/c-1001").status_code == 503
