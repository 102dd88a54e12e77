"""The record API: the warm-handoff context package (read live) and customer records.

One APIRouter, included by api.py. `GET /v1/conversations/{id}/context` answers the
package stored when the conversation escalated (the audit snapshot) together with the
record as it is now, the changes since the snapshot (`live.changes`, those about the
orders and cart in question flagged `focus`), and the turns since the handoff.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from warmline.bootstrap import Warmline
from warmline.domain.access import PEOPLE, STAFF, Role
from warmline.entrypoints.http import schemas as s
from warmline.entrypoints.http.auth import allow
from warmline.ports import RecordUnavailable
from warmline.service.views.package import live_view

ERRORS: dict[int | str, dict[str, Any]] = {404: {"model": s.ErrorOut},
                                           503: {"model": s.ErrorOut}}


class ChangeOut(BaseModel):
    path: str = Field(description='the field that changed, e.g. "orders[1043].status"')
    before: Any
    after: Any
    focus: bool = Field(description="about an order or cart the conversation is about")


class LiveOut(BaseModel):
    read_at: str
    available: bool
    error: str | None
    record: dict[str, Any] | None
    changed: bool
    changes: list[ChangeOut]


class ContextOut(BaseModel):
    conversation_id: str
    mode: str
    packaged_at: str
    packages: int = Field(description="how many times this conversation was packaged")
    package: dict[str, Any] = Field(description="the package as built at the handoff "
                                    "(schema warmline.context/1, docs/context.md)")
    live: LiveOut
    since_handoff: list[dict[str, Any]]
    done_while_waiting: list[dict[str, Any]] = []  # told while waiting: not to ask again
    details_while_waiting: list[dict[str, Any]] = Field(
        default=[], description="details the bot went through while the customer waited "
        "(item, state done/disputed/asked, value, the customer's answer): do not ask again")
    seam_leaks: list[dict[str, Any]] = []  # restated or asked though the package held it


def _error(status: int, error: str, message: str) -> JSONResponse:
    return JSONResponse({"error": error, "message": message, "fields": []}, status)


def router(wl: Warmline) -> APIRouter:
    api = APIRouter(tags=["context"])
    deps = wl.bus.deps

    @api.get("/v1/conversations/{conversation_id}/context", response_model=ContextOut,
             responses=ERRORS, dependencies=[allow(Role.BOT, *PEOPLE, scope="conversation")],
             summary="The warm-handoff context package, with the record read live")
    def get_context(conversation_id: s.ConversationId) -> Any:
        view = live_view(wl.uow, deps.record, conversation_id, deps.clock.now())
        if view is None:
            return _error(404, "not_found", f"conversation {conversation_id!r} has not been "
                          "handed off: it has no context package")
        return view

    @api.get("/v1/customers/{customer_ref}", responses=ERRORS, tags=["record"],
             dependencies=[allow(*STAFF)],
             summary="One customer's record as it is now (orders, carts, returns, refunds, "
                     "past interactions)")
    def get_customer(customer_ref: s.Ref) -> Any:
        try:
            record = deps.record.customer_record(customer_ref)
        except RecordUnavailable as exc:
            return _error(503, "record_unavailable", str(exc))
        if record is None:
            return _error(404, "not_found", f"no customer {customer_ref!r} in the record")
        return record.to_dict()

    return api
