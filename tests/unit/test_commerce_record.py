"""The commerce record as values: the triggers' view, and what changed since a snapshot."""

from __future__ import annotations

from dataclasses import replace

from tests.samples import ago, sample_batch

from warmline.adapters.commerce.memory import MemoryCommerceRecord
from warmline.domain.record.commerce import CustomerRecord, Refund, diff_records


def maria() -> CustomerRecord:
    found = MemoryCommerceRecord(sample_batch()).customer_record("c-1001")
    assert found is not None
    return found


def test_nothing_changed_means_no_changes_even_if_read_again_later() -> None:
    r = maria()
    again = replace(r, read_at=ago(-1))
    assert diff_records(r.to_dict(), again.to_dict()) == []


def test_a_changed_order_field_is_reported_by_its_stable_path() -> None:
    r = maria()
    shipped = replace(r.orders[1], status="returned")
    later = replace(r, orders=(r.orders[0], shipped))
    [change] = diff_records(r.to_dict(), later.to_dict())
    assert (change.path, change.before, change.after) == ("orders[1043].status", "delivered",
                                                          "returned")


def test_added_and_removed_entities_are_changes_too() -> None:
    r = maria()
    refund = Refund("rf-9", "1043", "c-1001", 184.0, created_at=ago(0))
    later = replace(r, refunds=(*r.refunds, refund), interactions=r.interactions[:1])
    paths = {c.path: c for c in diff_records(r.to_dict(), later.to_dict())}
    assert paths["refunds[rf-9]"].before is None and paths["refunds[rf-9]"].after["amount"] == 184
    assert paths["interactions[hd-2]"].after is None


def test_the_triggers_view_counts_refunds_and_fault_reports_per_order() -> None:
    facts = maria().facts()
    socks = facts.order("0999")
    assert socks is not None and (socks.refunded, socks.outstanding) == (25.0, 17.0)
    blender = facts.order("1043")
    assert blender is not None and blender.fault_reports == 2
    assert blender.items == "Aurora Blender" and blender.product_line == "Kitchen appliances"
    assert facts.name == "Maria Keller" and facts.language == "de"
