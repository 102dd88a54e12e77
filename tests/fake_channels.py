"""Local fake servers that speak the channel platforms' APIs, on 127.0.0.1 only.

- FakeGraph: WhatsApp Cloud API's `POST /{version}/{phone-number-id}/messages`. It checks
  the bearer token, the body's shape and Meta's limits (at most 3 reply buttons, titles of
  at most 20 characters) and answers with a wamid or a Graph error, as Meta does.
- FakeChatwoot: the Application API calls an Agent Bot makes (messages, toggle_status,
  assignments), checking the `api_access_token` header and keeping each conversation's
  status, team and messages; `bot_assignments=False` plays an older Chatwoot that
  refuses bot tokens on assignments.

Both can be told to misbehave for the next requests (`fail_next`): a scripted answer, or
a delay longer than the client's timeout. They run under uvicorn in a thread (`serve`).
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


@dataclass
class Scripted:
    status: int = 200
    body: Any = None
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


def graph_error(code: int, message: str, status: int = 400) -> Scripted:
    return Scripted(status, {"error": {"message": f"(#{code}) {message}",
                                       "type": "OAuthException", "code": code,
                                       "error_data": {"messaging_product": "whatsapp",
                                                      "details": message},
                                       "fbtrace_id": "AFakeTraceId"}})


class _Fake:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []  # every request: path, headers, json
        self.script: list[Scripted] = []
        self.url = ""

    def fail_next(self, *answers: Scripted) -> None:
        self.script.extend(answers)

    async def _record(self, request: Request) -> tuple[dict[str, Any], Scripted | None]:
        try:
            body = await request.json()
        except ValueError:
            body = None
        entry = {"method": request.method, "path": request.url.path,
                 "headers": {k.lower(): v for k, v in request.headers.items()}, "json": body}
        self.requests.append(entry)
        scripted = self.script.pop(0) if self.script else None
        if scripted and scripted.delay:
            await asyncio.sleep(scripted.delay)
        return entry, scripted


class FakeGraph(_Fake):
    def __init__(self, token: str = "test-access-token", phone_number_id: str = "106540352242922",
                 version: str = "v23.0") -> None:
        super().__init__()
        self.token, self.phone_number_id, self.version = token, phone_number_id, version
        self.sent = 0
        self.app = Starlette(routes=[
            Route("/{version}/{phone}/messages", self.messages, methods=["POST"])])

    async def messages(self, request: Request) -> Response:
        entry, scripted = await self._record(request)
        if scripted is not None and (scripted.status != 200 or scripted.body is not None):
            return _answer(scripted)
        if request.path_params["version"] != self.version or \
                request.path_params["phone"] != self.phone_number_id:
            return _answer(graph_error(100, "Unsupported post request", 400))
        if entry["headers"].get("authorization") != f"Bearer {self.token}":
            return _answer(graph_error(190, "Invalid OAuth access token", 401))
        problem = _check_message(entry["json"])
        if problem:
            return _answer(graph_error(100, problem))
        self.sent += 1
        wamid = f"wamid.FAKE{self.sent:06d}"
        return JSONResponse({"messaging_product": "whatsapp",
                             "contacts": [{"input": entry["json"]["to"],
                                           "wa_id": entry["json"]["to"].lstrip("+")}],
                             "messages": [{"id": wamid}]})


def _check_message(body: Any) -> str | None:
    """The subset of Meta's validation the adapter's requests must pass."""
    if not isinstance(body, dict) or body.get("messaging_product") != "whatsapp":
        return "messaging_product must be whatsapp"
    if not isinstance(body.get("to"), str) or not body["to"]:
        return "to is required"
    kind = body.get("type")
    if kind == "text":
        text = body.get("text")
        return None if isinstance(text, dict) and text.get("body") else "text.body is required"
    if kind == "interactive":
        interactive = body.get("interactive") or {}
        buttons = (interactive.get("action") or {}).get("buttons") or []
        if interactive.get("type") != "button" or not 1 <= len(buttons) <= 3:
            return "interactive button messages take 1 to 3 buttons"
        for b in buttons:
            reply = b.get("reply") or {}
            if b.get("type") != "reply" or not reply.get("id") or \
                    not 1 <= len(reply.get("title", "")) <= 20:
                return "button title must be 1 to 20 characters"
        return None if (interactive.get("body") or {}).get("text") else "body.text is required"
    if kind == "template":
        template = body.get("template") or {}
        ok = template.get("name") and (template.get("language") or {}).get("code")
        if not ok:
            return "template.name and template.language.code are required"
        return _check_components(template.get("components", []))
    return f"unsupported type {kind!r}"


def _check_components(components: Any) -> str | None:
    """Template components as the Cloud API takes them: body text parameters (positional,
    or all named), quick-reply buttons with a string index and a payload."""
    if not isinstance(components, list):
        return "template.components must be a list"
    for c in components:
        kind = c.get("type") if isinstance(c, dict) else None
        params = c.get("parameters") if isinstance(c, dict) else None
        if kind == "body":
            if not isinstance(params, list) or not params:
                return "body component needs parameters"
            named = {"parameter_name" in p for p in params}
            if len(named) > 1:
                return "body parameters are either all named or all positional"
            for p in params:
                text = p.get("text")
                if p.get("type") != "text" or not isinstance(text, str) or not text:
                    return "a text parameter needs a non-empty text"
                if "\n" in text or "\t" in text or "     " in text:
                    return "Param text cannot have new-line/tab characters or more than 4 " \
                           "consecutive spaces (#132018)"
        elif kind == "button":
            if c.get("sub_type") != "quick_reply" or not str(c.get("index", "")).isdigit() \
                    or not isinstance(c.get("index"), str):
                return "button component needs sub_type quick_reply and a string index"
            if not isinstance(params, list) or len(params) != 1 or \
                    params[0].get("type") != "payload" or not params[0].get("payload"):
                return "a quick_reply button takes one payload parameter"
        else:
            return f"unsupported component type {kind!r}"
    return None


class FakeChatwoot(_Fake):
    def __init__(self, account_id: int = 1, bot_token: str = "bot-token",
                 user_token: str = "user-token", bot_assignments: bool = True) -> None:
        super().__init__()
        self.account_id, self.bot_token, self.user_token = account_id, bot_token, user_token
        self.bot_assignments = bot_assignments
        self.status: dict[int, str] = {}
        self.team: dict[int, int | None] = {}
        self.messages: dict[int, list[dict[str, Any]]] = {}
        self.next_id = 1000
        prefix = "/api/v1/accounts/{account:int}/conversations/{cid:int}"
        self.app = Starlette(routes=[
            Route(prefix + "/messages", self.create_message, methods=["POST"]),
            Route(prefix + "/toggle_status", self.toggle_status, methods=["POST"]),
            Route(prefix + "/assignments", self.assign, methods=["POST"]),
        ])

    async def _auth(self, request: Request, bots: bool = True
                    ) -> tuple[dict[str, Any], Response | None]:
        entry, scripted = await self._record(request)
        if scripted is not None and (scripted.status != 200 or scripted.body is not None):
            return entry, _answer(scripted)
        token = entry["headers"].get("api_access_token")
        if request.path_params["account"] != self.account_id:
            return entry, JSONResponse({"error": "Resource could not be found"}, 404)
        if token == self.bot_token and not bots:
            return entry, JSONResponse(
                {"error": "Access to this endpoint is not authorized for bots"}, 401)
        if token not in (self.bot_token, self.user_token):
            return entry, JSONResponse({"error": "Invalid Access Token"}, 401)
        self.status.setdefault(request.path_params["cid"], "pending")
        return entry, None

    async def create_message(self, request: Request) -> Response:
        entry, refused = await self._auth(request)
        if refused:
            return refused
        body, cid = entry["json"] or {}, request.path_params["cid"]
        if not body.get("content") and not body.get("attachments"):
            return JSONResponse({"error": "content can't be blank"}, 422)
        self.next_id += 1
        message = {"id": self.next_id, "content": body["content"], "conversation_id": cid,
                   "message_type": 1 if body.get("message_type", "outgoing") == "outgoing" else 0,
                   "content_type": body.get("content_type", "text"),
                   "content_attributes": body.get("content_attributes", {}),
                   "private": bool(body.get("private", False)), "status": "sent",
                   "created_at": int(time.time()), "source_id": None}
        self.messages.setdefault(cid, []).append(message)
        return JSONResponse(message)

    async def toggle_status(self, request: Request) -> Response:
        entry, refused = await self._auth(request)
        if refused:
            return refused
        status = (entry["json"] or {}).get("status")
        if status not in ("open", "pending", "resolved", "snoozed"):
            return JSONResponse({"error": "invalid status"}, 422)
        cid = request.path_params["cid"]
        self.status[cid] = status
        return JSONResponse({"meta": {}, "payload": {"success": True,
                                                      "conversation_id": cid,
                                                      "current_status": status}})

    async def assign(self, request: Request) -> Response:
        entry, refused = await self._auth(request, bots=self.bot_assignments)
        if refused:
            return refused
        team_id = (entry["json"] or {}).get("team_id")
        self.team[request.path_params["cid"]] = team_id
        return JSONResponse({"id": team_id, "name": f"team {team_id}"})


def _answer(s: Scripted) -> Response:
    if s.body is None:
        return Response(status_code=s.status, headers=s.headers)
    if isinstance(s.body, str):
        return Response(s.body, status_code=s.status, headers=s.headers,
                        media_type="text/html")
    return JSONResponse(s.body, s.status, headers=s.headers)


@contextmanager
def serve(fake: FakeGraph | FakeChatwoot) -> Iterator[str]:
    """Run `fake` on 127.0.0.1 (a free port) until the block ends; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(fake.app, log_level="error", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("fake server did not start")
        time.sleep(0.01)
    fake.url = f"http://127.0.0.1:{port}"
    try:
        yield fake.url
    finally:
        server.should_exit = True
        thread.join(timeout=5)
        sock.close()
