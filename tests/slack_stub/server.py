"""SlackStub: a stand-in Slack Web API on loopback HTTP, for a real slack_sdk WebClient.

Point the client at ``stub.api_url``; every answered call is recorded for assertions, and the
next calls of a method can be made to fail (HTTP 429/5xx, Slack errors) or to answer slowly.
"""

import contextlib
import functools
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import urlsplit

from tests.slack_stub.channels import StubChannel
from tests.slack_stub.errors import ApiError
from tests.slack_stub.faults import Fault, FaultPlan
from tests.slack_stub.ids import BOT_USER_ID, TEAM_ID
from tests.slack_stub.methods import dispatch
from tests.slack_stub.oauth import Grant, OAuthApp, Tokens
from tests.slack_stub.users import StubUser
from tests.slack_stub.wire import ApiCall, HttpRequest, Reply, parse_call
from tests.slack_stub.workspace import Workspace

_HOST = "127.0.0.1"
_API_PREFIX = "/api/"
_RESPONSE_PREFIX = "/response/"
RESPONSE_URL_METHOD = "response_url"
"""Posts to a ``response_url`` are recorded as calls of this pseudo-method."""
_HTTP_ERROR_CODES = {429: "ratelimited", 503: "service_unavailable"}
_POLL_INTERVAL_SECONDS = 0.05


@dataclass(frozen=True)
class RecordedCall:
    """One Web API call as the stub received and answered it.

    ``args`` holds the decoded arguments without the token (JSON-encoded ``blocks``,
    ``attachments``, ``view`` and ``metadata`` decoded; other form values stay strings, so
    booleans sent as form fields read "1"/"0"). ``response`` is the JSON body sent back.
    """

    method: str
    args: dict[str, Any]
    response: dict[str, Any]
    status: int = 200
    token: str | None = None
    """The token the call carried."""
    team: str | None = None
    """The workspace that token works in (None for a token Slack refused)."""

    @property
    def ok(self) -> bool:
        """Whether Slack would have reported success."""
        return self.response.get("ok") is True


class _StubHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, respond: Callable[[HttpRequest], Reply], stopping: threading.Event) -> None:
        super().__init__((_HOST, 0), _StubRequestHandler)
        self.respond = respond
        self.stopping = stopping


class _StubRequestHandler(BaseHTTPRequestHandler):
    server: _StubHTTPServer

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output free of access logs."""

    def _handle(self) -> None:
        url = urlsplit(self.path)
        if not url.path.startswith((_API_PREFIX, _RESPONSE_PREFIX)):
            self.send_error(404)
            return
        length = int(self.headers.get("Content-Length") or 0)
        is_response_url = url.path.startswith(_RESPONSE_PREFIX)
        request = HttpRequest(
            method=RESPONSE_URL_METHOD if is_response_url else url.path.removeprefix(_API_PREFIX),
            query=url.query,
            content_type=self.headers.get("Content-Type", ""),
            authorization=self.headers.get("Authorization", ""),
            body=self.rfile.read(length),
        )
        reply = self.server.respond(request)
        self.server.stopping.wait(reply.delay_seconds)
        with contextlib.suppress(ConnectionError):  # the client may have timed out meanwhile
            self._send(reply)

    def _send(self, reply: Reply) -> None:
        body = reply.encoded_body()
        self.send_response(reply.status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        if reply.retry_after is not None:
            self.send_header("Retry-After", str(reply.retry_after))
        self.end_headers()
        self.wfile.write(body)


class SlackStub:
    """A stand-in Slack Web API server on 127.0.0.1, run in a background thread.

    Use as a context manager, or call ``start()`` and ``stop()``. All methods are thread-safe.
    """

    def __init__(self, bot_token: str = "xoxb-test-token") -> None:
        self.bot_token = bot_token
        self._condition = threading.Condition(threading.RLock())
        self._workspaces = {TEAM_ID: Workspace()}
        self._tokens = Tokens({bot_token: TEAM_ID})
        self._oauth = OAuthApp(self._tokens)
        self._faults = FaultPlan()
        self._calls: list[RecordedCall] = []
        self._failed_calls: list[RecordedCall] = []
        self._stopping = threading.Event()
        self._server: _StubHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # Lifecycle

    def start(self) -> Self:
        """Start serving on a free port; returns the stub for chaining."""
        if self._server is not None:
            raise RuntimeError("SlackStub is already running")
        self._stopping.clear()
        self._server = _StubHTTPServer(self._respond, self._stopping)
        serve = functools.partial(self._server.serve_forever, poll_interval=_POLL_INTERVAL_SECONDS)
        self._thread = threading.Thread(target=serve, name="slack-stub", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; delayed replies still pending are sent at once."""
        if self._server is None or self._thread is None:
            return
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
        self._server = None
        self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def api_url(self) -> str:
        """The base URL for ``WebClient(base_url=...)``, e.g. ``http://127.0.0.1:PORT/api/``."""
        if self._server is None:
            raise RuntimeError("SlackStub is not running")
        return f"http://{_HOST}:{self._server.server_port}{_API_PREFIX}"

    # Workspace set-up

    def add_user(
        self,
        user_id: str,
        email: str,
        *,
        name: str | None = None,
        real_name: str | None = None,
        is_admin: bool = False,
        is_owner: bool = False,
        is_bot: bool = False,
        deleted: bool = False,
        team_id: str | None = None,
        workspace: str = TEAM_ID,
    ) -> None:
        """Add (or replace) a workspace member; ``name`` defaults to the email's local part."""
        handle = name or email.partition("@")[0]
        user = StubUser(
            id=user_id,
            email=email,
            name=handle,
            real_name=real_name or handle,
            team_id=team_id or workspace,
            is_admin=is_admin,
            is_owner=is_owner,
            is_bot=is_bot,
            deleted=deleted,
        )
        with self._condition:
            self._ws(workspace).users.add(user)

    def add_channel(
        self,
        channel_id: str,
        name: str,
        *,
        private: bool = False,
        archived: bool = False,
        bot_is_member: bool = False,
        workspace: str = TEAM_ID,
    ) -> None:
        """Add (or replace) a channel; the bot is not in it unless ``bot_is_member``."""
        members = {BOT_USER_ID} if bot_is_member else set()
        channel = StubChannel(channel_id, name, private, archived, members)
        with self._condition:
            self._ws(workspace).channels.add(channel)

    def invite_bot(self, channel_id: str, *, workspace: str = TEAM_ID) -> None:
        """Someone adds the bot to the channel (``/invite``), as only a person can do for a
        private one. Slack would then send ``member_joined_channel``; the test sends it."""
        with self._condition:
            self._ws(workspace).channels.get(channel_id).members.add(BOT_USER_ID)

    def remove_bot(self, channel_id: str, *, workspace: str = TEAM_ID) -> None:
        """Someone removes the bot from the channel (``/kick``)."""
        with self._condition:
            self._ws(workspace).channels.get(channel_id).members.discard(BOT_USER_ID)

    def archive_channel(self, channel_id: str, *, workspace: str = TEAM_ID) -> None:
        with self._condition:
            self._ws(workspace).channels.get(channel_id).is_archived = True

    def bot_is_in(self, channel_id: str, *, workspace: str = TEAM_ID) -> bool:
        with self._condition:
            return self._ws(workspace).channels.get(channel_id).bot_is_member

    def dm_channel(self, user_id: str, *, workspace: str = TEAM_ID) -> str:
        """The id of the bot's DM with ``user_id``, the same one conversations.open returns."""
        with self._condition:
            return self._ws(workspace).messages.open_conversation([user_id])

    def _ws(self, team_id: str) -> Workspace:
        return self._workspaces[team_id]

    # Workspaces and the app's OAuth

    def add_workspace(self, team_id: str, name: str, *, bot_token: str | None = None) -> None:
        """Another workspace (with nobody in it yet), where the app can be installed; with
        ``bot_token``, it is installed already and that token works in it."""
        with self._condition:
            self._workspaces[team_id] = Workspace(team_id, name)
            if bot_token is not None:
                self._tokens.teams[bot_token] = team_id

    def configure_oauth(
        self, client_id: str, client_secret: str, *, rotation: bool = False
    ) -> None:
        """The app's credentials; with ``rotation``, tokens expire and come with refresh
        tokens (the app's "token rotation" setting)."""
        with self._condition:
            self._oauth.client_id, self._oauth.client_secret = client_id, client_secret
            self._oauth.rotation = rotation

    def expire_tokens_in(self, seconds: int) -> None:
        """The lifetime of the rotating tokens handed out for the next codes."""
        with self._condition:
            self._oauth.expires_in = seconds

    def approve_install(
        self, team_id: str, *, redirect_uri: str, scopes: str, installer: str,
        enterprise_id: str | None = None,
    ) -> str:  # fmt: skip
        """Someone in ``team_id`` allowed the app on Slack's consent page: the ``code`` Slack
        adds to the redirect. Each code is exchanged once, for that redirect URI only."""
        with self._condition:
            workspace = self._ws(team_id)
            enterprise = None if enterprise_id is None else {"id": enterprise_id, "name": "Org"}
            grant = Grant(team_id, workspace.name, redirect_uri, scopes, installer, enterprise)
            return self._oauth.approve(grant)

    def uninstall(self, team_id: str) -> None:
        """The app is removed from ``team_id``: every token of it is revoked. Slack would then
        send ``app_uninstalled`` and ``tokens_revoked``; the test sends them."""
        with self._condition:
            self._tokens.revoke_team(team_id)

    # Fault injection

    def fail_next(
        self,
        method: str,
        *,
        times: int = 1,
        status: int = 429,
        retry_after: int = 1,
        delay_seconds: float = 0.0,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` with HTTP ``status`` (429 or 5xx).

        429 carries ``Retry-After: retry_after``. The reply waits ``delay_seconds`` first, so a
        client timeout shorter than that sees a timeout. Such calls take no effect and are
        recorded in ``failed_calls``, not ``calls``.
        """
        if status != 429 and not 500 <= status <= 599:
            raise ValueError(f"status must be 429 or 5xx, got {status}")
        fault = Fault(
            error=_HTTP_ERROR_CODES.get(status, "internal_error"),
            status=status,
            retry_after=retry_after if status == 429 else None,
            delay_seconds=delay_seconds,
        )
        self._schedule(method, fault, times)

    def error_next(self, method: str, error: str, *, times: int = 1) -> None:
        """Answer the next ``times`` calls of ``method`` with HTTP 200 ``{"ok": false, "error"}``.

        Such calls take no effect and are recorded in ``failed_calls``, not ``calls``.
        """
        self._schedule(method, Fault(error=error), times)

    def delay_next(self, method: str, delay_seconds: float, *, times: int = 1) -> None:
        """Handle the next ``times`` calls of ``method`` normally but reply after a delay.

        The call takes effect and is recorded in ``calls`` before the delay, like a Slack
        request that succeeded although the client timed out waiting for the answer.
        """
        self._schedule(method, Fault(delay_seconds=delay_seconds), times)

    def _schedule(self, method: str, fault: Fault, times: int) -> None:
        with self._condition:
            self._faults.schedule(method, fault, times)

    # Inspection

    @property
    def calls(self) -> list[RecordedCall]:
        """Answered calls, in arrival order (including Slack errors such as ``invalid_auth``)."""
        with self._condition:
            return list(self._calls)

    @property
    def failed_calls(self) -> list[RecordedCall]:
        """Calls answered by ``fail_next`` or ``error_next`` faults, in arrival order."""
        with self._condition:
            return list(self._failed_calls)

    def calls_to(self, method: str) -> list[RecordedCall]:
        """Answered calls of ``method``, in arrival order."""
        return [call for call in self.calls if call.method == method]

    def reset_calls(self) -> None:
        """Forget recorded calls and failed calls (workspace state is kept)."""
        with self._condition:
            self._calls.clear()
            self._failed_calls.clear()

    def messages(
        self, channel: str | None = None, *, workspace: str = TEAM_ID
    ) -> list[dict[str, Any]]:
        """Live (not deleted) bot messages, oldest first, as updated; each has a ``channel``."""
        with self._condition:
            return self._ws(workspace).messages.listing(channel)

    def ephemeral_messages(
        self, channel: str | None = None, *, workspace: str = TEAM_ID
    ) -> list[dict[str, Any]]:
        """Ephemeral messages, oldest first; ``user`` is the member who was shown it."""
        with self._condition:
            return self._ws(workspace).messages.ephemeral_listing(channel)

    def home_view(self, user_id: str, *, workspace: str = TEAM_ID) -> dict[str, Any] | None:
        """The Home tab last published for ``user_id``, or None."""
        with self._condition:
            return self._ws(workspace).views.home_of(user_id)

    def opened_views(self, *, workspace: str = TEAM_ID) -> list[dict[str, Any]]:
        """Modals opened or pushed, oldest first, in their current (updated) state."""
        with self._condition:
            return self._ws(workspace).views.modals()

    def wait_for(
        self, predicate: Callable[[list[RecordedCall]], bool], timeout: float = 5.0
    ) -> list[RecordedCall]:
        """Block until ``predicate(calls)`` holds, then return the calls; TimeoutError if not.

        The predicate runs with the stub locked, so it may also query the stub.
        """
        with self._condition:
            if not self._condition.wait_for(lambda: predicate(list(self._calls)), timeout):
                seen = [call.method for call in self._calls]
                raise TimeoutError(f"condition not met within {timeout}s; calls: {seen}")
            return list(self._calls)

    def wait_for_calls(
        self, method: str, count: int = 1, timeout: float = 5.0
    ) -> list[RecordedCall]:
        """Block until ``method`` was answered at least ``count`` times; return those calls."""
        self.wait_for(lambda calls: sum(call.method == method for call in calls) >= count, timeout)
        return self.calls_to(method)

    # Serving

    def response_url(self, name: str = "command") -> str:
        """A ``response_url`` to put in a payload; what the bot posts there is recorded as a
        call of ``RESPONSE_URL_METHOD`` (the JSON body as ``args``)."""
        return f"{self.api_url.removesuffix(_API_PREFIX)}{_RESPONSE_PREFIX}{name}"

    def responses(self) -> list[dict[str, Any]]:
        """What the bot posted to response URLs, in order."""
        return [call.args for call in self.calls_to(RESPONSE_URL_METHOD)]

    def _respond(self, request: HttpRequest) -> Reply:
        if request.method == RESPONSE_URL_METHOD:
            return self._record_response_url(request)
        call = parse_call(request)
        with self._condition:
            fault = self._faults.take(call.method)
            forced = fault.forced_reply()
            if forced is None:
                body, team = self._answer(call, request.authorization)
                reply = Reply(200, body, delay_seconds=fault.delay_seconds)
                self._calls.append(
                    RecordedCall(call.method, call.args, reply.body, 200, call.token, team)
                )
            else:
                reply = forced
                self._failed_calls.append(
                    RecordedCall(call.method, call.args, reply.body, reply.status)
                )
            self._condition.notify_all()
        return reply

    def _record_response_url(self, request: HttpRequest) -> Reply:
        reply = Reply(200, {"ok": True})
        with self._condition:
            body = json.loads(request.body or b"{}")
            self._calls.append(RecordedCall(RESPONSE_URL_METHOD, body, reply.body))
            self._condition.notify_all()
        return reply

    def _answer(self, call: ApiCall, authorization: str) -> tuple[dict[str, Any], str | None]:
        """The answer, and the workspace of the call's token."""
        team = None
        try:
            if call.problem is not None:
                raise call.problem
            if call.method == "oauth.v2.access":
                return {"ok": True, **self._oauth.access(call.args, authorization)}, None
            team = self._tokens.teams.get(call.token or "")  # recorded even when refused
            self._tokens.team_of(call.token)
            assert team is not None
            return dispatch(self._ws(team), call.method, call.args), team
        except ApiError as error:
            return error.to_response(), team
