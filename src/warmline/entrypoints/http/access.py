"""People and machines over HTTP (admin only): users, API tokens, and who am I.

- GET    /v1/me: the caller as Warmline sees it (any role);
- GET    /v1/users, PUT /v1/users/{name}, DELETE /v1/users/{name} (disables, ends sessions);
- GET    /v1/tokens, POST /v1/tokens (the secret is in this answer only),
  DELETE /v1/tokens/{id} (revokes).
Hashes never leave the server; answers carry names, roles and dates.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from pydantic import ConfigDict, Field

from warmline.bootstrap import Warmline
from warmline.domain.access import EVERYONE, ApiToken, Principal, Role, User
from warmline.entrypoints.http import schemas as s
from warmline.entrypoints.http.auth import allow
from warmline.service import access

Name = Annotated[str, Field(pattern=access.NAME.pattern)]
ADMIN_ONLY = [allow(Role.ADMIN)]
ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": s.ErrorOut}, 422: {"model": s.ErrorOut}}


# An agent acts as one of the routing's people: the schema says so, as it says the rest.
AGENT_NEEDS_ID = ConfigDict(json_schema_extra={
    "if": {"properties": {"role": {"const": "agent"}}, "required": ["role"]},
    "then": {"required": ["agent_id"], "properties": {"agent_id": {"type": "string",
                                                                    "minLength": 1}}}})


class UserIn(s.Strict):
    model_config = ConfigDict(**s.Strict.model_config, **AGENT_NEEDS_ID)

    role: Literal["agent", "supervisor", "admin"] = Field(description="a person's role")
    password: Annotated[str, Field(min_length=access.MIN_PASSWORD, max_length=256)]
    agent_id: Annotated[str | None, Field(max_length=64)] = Field(
        None, description="for an agent: the routing's person it works as")


class TokenIn(s.Strict):
    model_config = ConfigDict(**s.Strict.model_config, **AGENT_NEEDS_ID)
    name: Name
    role: Annotated[Role, Field(strict=False)]
    agent_id: Annotated[str | None, Field(max_length=64)] = None


def _user_out(u: User) -> dict[str, Any]:
    return {"name": u.name, "role": u.role.value, "agent_id": u.agent_id,
            "disabled": u.disabled,
            "created_at": u.created_at.isoformat() if u.created_at else None}


def _token_out(t: ApiToken) -> dict[str, Any]:
    return {"id": t.id, "name": t.name, "role": t.role.value, "agent_id": t.agent_id,
            "revoked": t.revoked,
            "created_at": t.created_at.isoformat() if t.created_at else None}


def _refused(exc: access.AccessError) -> JSONResponse:
    return JSONResponse({"error": "invalid_request", "message": f"invalid: {exc.field}",
                         "fields": [{"field": exc.field, "message": str(exc)}]}, 422)


def router(wl: Warmline) -> APIRouter:
    api = APIRouter(prefix="/v1", tags=["access"], responses=ERRORS)
    store = wl.access
    assert store is not None

    @api.get("/me", summary="The caller: name, role and the agent it acts as")
    def me(who: Principal = allow(*EVERYONE)) -> dict[str, Any]:
        return {"subject": who.subject, "role": who.role.value, "agent_id": who.agent_id,
                "via": who.via}

    @api.get("/users", dependencies=ADMIN_ONLY, summary="People who may sign in")
    def list_users() -> list[dict[str, Any]]:
        return [_user_out(u) for u in store.users()]

    @api.put("/users/{name}", dependencies=ADMIN_ONLY,
             summary="Create a person or replace their role/password (ends their sessions)")
    def put_user(name: Name, body: UserIn) -> Any:
        try:
            user = access.add_user(store, name, body.role, body.password, body.agent_id)
        except access.AccessError as exc:
            return _refused(exc)
        return _user_out(user)

    @api.delete("/users/{name}", dependencies=ADMIN_ONLY,
                summary="Stop a person signing in and end their sessions")
    def delete_user(name: Name) -> Any:
        try:
            ended = access.disable_user(store, name)
        except access.AccessError as exc:
            return JSONResponse({"error": "not_found", "message": str(exc), "fields": []},
                                404)
        return {"name": name, "disabled": True, "sessions_ended": ended}

    @api.get("/tokens", dependencies=ADMIN_ONLY, summary="API tokens (never their secrets)")
    def list_tokens() -> list[dict[str, Any]]:
        return [_token_out(t) for t in store.tokens()]

    @api.post("/tokens", status_code=201, dependencies=ADMIN_ONLY,
              summary="Issue an API token; its secret is shown in this answer only")
    def post_token(body: TokenIn) -> Any:
        try:
            issued = access.issue_token(store, body.name, body.role, body.agent_id)
        except access.AccessError as exc:
            return _refused(exc)
        return {**_token_out(issued.token), "secret": issued.secret}

    @api.delete("/tokens/{token_id}", status_code=204, dependencies=ADMIN_ONLY,
                summary="Revoke an API token at once", response_class=Response)
    def delete_token(token_id: Annotated[str, Field(pattern=r"^[0-9a-f]{1,32}$")]) -> Response:
        if not store.revoke_token(token_id):
            return JSONResponse({"error": "not_found", "message": f"no token {token_id!r}",
                                 "fields": []}, 404)
        return Response(status_code=204)

    return api
