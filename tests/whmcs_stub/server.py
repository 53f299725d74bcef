"""WhmcsStub: a stand-in WHMCS External API on loopback HTTP, following
``../shared/whmcs/API.md``, that also plays the billing portal's side (invitees following their
invitation, the client's owner editing users and contacts in the client area).

Point the adapter at ``stub.api_url``. Every call is recorded; the next calls of an action can be
made to fail (HTTP 5xx, HTML, a timeout, ``result: error`` on HTTP 200) or to lose their answer
after the change was made.
"""

import contextlib
import functools
import socket
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal, Self
from urllib.parse import parse_qsl, urlsplit

from tests.whmcs_stub import actions
from tests.whmcs_stub.faults import Fault, FaultPlan
from tests.whmcs_stub.portal import (
    EMAIL_KINDS,
    ApiError,
    Invite,
    Link,
    Portal,
    SentEmail,
    StubContact,
    split_name,
)
from tests.whmcs_stub.wire import DROP, Reply, html_page, json_reply, xml_reply

_HOST = "127.0.0.1"
API_PATH = "/includes/api.php"
_POLL_INTERVAL_SECONDS = 0.05
_NOT_PARAMETERS = frozenset(
    {"action", "identifier", "secret", "username", "password", "accesskey", "responsetype"}
)


@dataclass(frozen=True)
class RecordedCall:
    """One API call as the stub received it: ``args`` are the action's own parameters (form
    values, all strings; credentials left out). ``response`` is the JSON answer WHMCS made, even
    if a fault kept it from the caller; None when no answer was made."""

    action: str
    args: dict[str, str]
    response: dict[str, Any] | None

    @property
    def ok(self) -> bool:
        return self.response is not None and self.response.get("result") == "success"


class _StubHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, stub: "WhmcsStub") -> None:
        super().__init__((_HOST, 0), _StubRequestHandler)
        self.stub = stub


class _StubRequestHandler(BaseHTTPRequestHandler):
    """One connection; HTTP/1.1 so that a caller can reuse it for several calls."""

    protocol_version = "HTTP/1.1"
    # Headers and body go out as two writes; with Nagle's algorithm the second one waits for
    # the caller's delayed ACK, adding 40 ms to every call.
    disable_nagle_algorithm = True
    server: _StubHTTPServer

    def setup(self) -> None:
        super().setup()
        self.server.stub._connection_opened(self.connection)

    def finish(self) -> None:
        with contextlib.suppress(OSError):
            super().finish()
        self.server.stub._connection_closed(self.connection)

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output free of access logs."""

    def do_GET(self) -> None:
        self.send_error(404 if urlsplit(self.path).path != API_PATH else 405)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        if urlsplit(self.path).path != API_PATH:
            self.send_error(404)
            return
        reply = self.server.stub._respond(body, self.client_address[0])
        if reply.drop:
            self.close_connection = True
            return
        with contextlib.suppress(ConnectionError):  # the caller may have timed out meanwhile
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)


class WhmcsStub:
    """A stand-in WHMCS on 127.0.0.1, run in a background thread; a context manager.

    Calls must carry ``identifier``/``secret`` (or ``username``/``password``) equal to the
    stub's. With ``ip_allowed=False`` the caller is outside the API's IP allow-list and only
    ``accesskey=access_key`` lets it in. ``allowed_actions`` plays an API role limited to those
    actions. Every method is thread-safe.
    """

    def __init__(
        self,
        identifier: str = "stub-identifier",
        secret: str = "stub-secret-value",
        *,
        access_key: str | None = None,
        ip_allowed: bool = True,
        allowed_actions: Iterable[str] | None = None,
        latency_seconds: float = 0.0,
    ) -> None:
        self.identifier = identifier
        self.secret = secret
        self.access_key = access_key
        self.ip_allowed = ip_allowed
        self._allowed_actions = (
            None if allowed_actions is None else {action.lower() for action in allowed_actions}
        )
        self.latency_seconds = latency_seconds
        self._condition = threading.Condition(threading.RLock())
        self._portal = Portal()
        self._faults = FaultPlan()
        self._calls: list[RecordedCall] = []
        self._failed_calls: list[RecordedCall] = []
        self._in_flight = 0
        self._max_in_flight = 0
        self._open_connections: set[socket.socket] = set()
        self._connections_opened = 0
        self._stopping = threading.Event()
        self._server: _StubHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # Lifecycle

    def start(self) -> Self:
        """Start serving on a free port; returns the stub for chaining."""
        if self._server is not None:
            raise RuntimeError("WhmcsStub is already running")
        self._stopping.clear()
        self._server = _StubHTTPServer(self)
        serve = functools.partial(self._server.serve_forever, poll_interval=_POLL_INTERVAL_SECONDS)
        self._thread = threading.Thread(target=serve, name="whmcs-stub", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close every open connection, so a caller that kept one finds WHMCS
        gone too; delayed replies still pending are sent at once."""
        if self._server is None or self._thread is None:
            return
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        with self._condition:
            for connection in self._open_connections:
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
        self._thread.join()
        self._server = None
        self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def api_url(self) -> str:
        """``http://127.0.0.1:PORT/includes/api.php``."""
        if self._server is None:
            raise RuntimeError("WhmcsStub is not running")
        return f"http://{_HOST}:{self._server.server_port}{API_PATH}"

    # The install's data, as an admin would set it up

    def add_client(
        self,
        email: str,
        *,
        firstname: str = "Client",
        lastname: str = "Owner",
        companyname: str = "",
        owner_email: str | None = None,
        without_users: bool = False,
    ) -> int:
        """A client whose owner user logs in with ``owner_email`` (default: the client's email,
        as WHMCS makes it), or with no user at all; returns the client id."""
        with self._condition:
            client = self._portal.add_client(
                email,
                firstname=firstname,
                lastname=lastname,
                companyname=companyname,
                owner_email=None if without_users else owner_email or email,
            )
            return client.id

    def owner_user_id(self, client_id: int) -> int | None:
        with self._condition:
            return self._portal.client(client_id).owner_user_id

    def add_user(self, email: str, *, name: str = "") -> int:
        """A login with no client yet (someone already registered); returns the user id."""
        with self._condition:
            return self._portal.add_user(email, name).id

    def user_id_of(self, email: str) -> int | None:
        with self._condition:
            user = self._portal.user_by_email(email)
            return None if user is None else user.id

    # The portal's side: the client's owner in the client area, and invitees

    def portal_add_user(
        self, client_id: int, email: str, permissions: Iterable[str], *, name: str = ""
    ) -> int:
        """The owner gives ``email`` access in the client area; returns the user id."""
        with self._condition:
            self._portal.client(client_id)
            user = self._portal.user_for(email, name)
            if self._portal.is_linked(user.id, client_id):
                raise ValueError(f"{email} is already a user of client {client_id}")
            self._portal.link(user.id, client_id, permissions)
            return user.id

    def portal_set_permissions(
        self, client_id: int, user_id: int, permissions: Iterable[str]
    ) -> None:
        """The owner edits a user's permissions in the client area (the owner's own cannot be)."""
        with self._condition:
            self._portal_rule(self._portal.set_permissions, user_id, client_id, permissions)

    def portal_remove_user(self, client_id: int, user_id: int) -> None:
        """The owner removes a user in the client area (not the owner)."""
        with self._condition:
            self._portal_rule(self._portal.unlink, user_id, client_id)

    def portal_add_contact(
        self,
        client_id: int,
        email: str,
        *,
        name: str = "",
        email_kinds: Iterable[str] = EMAIL_KINDS,
    ) -> int:
        """The owner adds a contact in the client area; returns the contact id."""
        firstname, lastname = split_name(name)
        with self._condition:
            self._portal.client(client_id)
            contact = self._portal.add_contact(
                client_id,
                email=email,
                firstname=firstname,
                lastname=lastname,
                email_kinds=email_kinds,
            )
            return contact.id

    def portal_remove_contact(self, contact_id: int) -> None:
        with self._condition:
            self._portal_rule(self._portal.contact, contact_id)
            del self._portal.contacts[contact_id]

    def follow_invite(self, email: str, *, name: str = "", client_id: int | None = None) -> int:
        """The invitee follows the latest invitation emailed to ``email`` (for ``client_id`` if
        given), logging in or registering: they become a user of the client with the invited
        permissions. Returns the user id; LookupError if no invitation is pending."""
        with self._condition:
            return self._portal.follow_invite(email, name, client_id)

    @staticmethod
    def _portal_rule(change: Callable[..., object], *args: object) -> None:
        """Apply a client-area change; WHMCS's refusal becomes a ValueError in the test."""
        try:
            change(*args)
        except ApiError as refusal:
            raise ValueError(refusal.message) from None

    # What the install holds now

    def users_of(self, client_id: int) -> list[Link]:
        """The client's users, owner first, with their permissions."""
        with self._condition:
            return self._portal.links_of(client_id)

    def permissions_of(self, client_id: int, email: str) -> tuple[str, ...] | None:
        """The permissions ``email`` holds on the client, or None if not one of its users."""
        wanted = email.lower()
        links = self.users_of(client_id)
        return next((link.permissions for link in links if link.email.lower() == wanted), None)

    def contacts_of(self, client_id: int) -> list[StubContact]:
        with self._condition:
            return self._portal.contacts_of(client_id)

    def pending_invites(self) -> list[Invite]:
        """Invitations emailed and not yet followed, oldest first."""
        with self._condition:
            return list(self._portal.invites)

    def sent_emails(self) -> list[SentEmail]:
        """Messages ``SendEmail`` sent, oldest first."""
        with self._condition:
            return list(self._portal.emails)

    # Fault injection: none of these take effect unless said so

    def fail_next(self, action: str, *, times: int = 1, status: int = 500) -> None:
        """Answer the next ``times`` calls of ``action`` with an HTML error page and HTTP
        ``status``, without making the change."""
        self._schedule(action, Fault(applies=False, reply=html_page(status, "Server Error")), times)

    def answer_html_next(self, action: str, *, times: int = 1) -> None:
        """Answer the next calls with an HTML page on HTTP 200 (a maintenance or login page
        in front of WHMCS), without making the change."""
        self._schedule(action, Fault(applies=False, reply=html_page(200, "Maintenance")), times)

    def error_next(self, action: str, message: str, *, times: int = 1, status: int = 200) -> None:
        """Answer the next calls ``{"result": "error", "message": message}`` with HTTP
        ``status``, without making the change."""
        reply = json_reply({"result": "error", "message": message}, status)
        self._schedule(action, Fault(applies=False, reply=reply), times)

    def time_out_next(self, action: str, delay_seconds: float, *, times: int = 1) -> None:
        """Hold the next calls for ``delay_seconds`` (longer than the caller waits), then
        answer 504, without making the change."""
        reply = html_page(504, "Gateway Timeout")
        self._schedule(action, Fault(False, reply, delay_seconds), times)

    def delay_next(self, action: str, delay_seconds: float, *, times: int = 1) -> None:
        """Make the change at once but answer only after ``delay_seconds``: a caller that
        gives up sooner never learns that it happened."""
        self._schedule(action, Fault(delay_seconds=delay_seconds), times)

    def lose_answer_next(
        self, action: str, *, times: int = 1, how: Literal["drop", "500"] = "drop"
    ) -> None:
        """Make the change, then lose the answer: close the connection without one (``drop``)
        or answer an HTML error page with HTTP 500."""
        reply = DROP if how == "drop" else html_page(500, "Server Error")
        self._schedule(action, Fault(reply=reply), times)

    def _schedule(self, action: str, fault: Fault, times: int) -> None:
        with self._condition:
            self._faults.schedule(action, fault, times)

    # Calls and load

    @property
    def calls(self) -> list[RecordedCall]:
        """Calls that reached the API (including refused ones and those whose answer was lost
        after the change), in arrival order."""
        with self._condition:
            return list(self._calls)

    @property
    def failed_calls(self) -> list[RecordedCall]:
        """Calls a fault answered without making the change, in arrival order."""
        with self._condition:
            return list(self._failed_calls)

    def calls_to(self, action: str) -> list[RecordedCall]:
        return [call for call in self.calls if call.action.lower() == action.lower()]

    def reset_calls(self) -> None:
        """Forget recorded calls and the load seen (the install's data is kept)."""
        with self._condition:
            self._calls.clear()
            self._failed_calls.clear()
            self._max_in_flight = self._in_flight
            self._connections_opened = 0

    def wait_for_calls(
        self, action: str, count: int = 1, timeout: float = 5.0
    ) -> list[RecordedCall]:
        """Block until ``action`` reached the API at least ``count`` times; return those calls."""
        wanted = action.lower()
        with self._condition:
            if not self._condition.wait_for(
                lambda: sum(call.action.lower() == wanted for call in self._calls) >= count,
                timeout,
            ):
                seen = [call.action for call in self._calls]
                raise TimeoutError(f"{action} not called {count} times within {timeout}s: {seen}")
        return self.calls_to(action)

    @property
    def max_concurrent_requests(self) -> int:
        """The most requests handled at the same moment since the start or ``reset_calls``."""
        with self._condition:
            return self._max_in_flight

    @property
    def connections_opened(self) -> int:
        """TCP connections accepted since the start or ``reset_calls``."""
        with self._condition:
            return self._connections_opened

    # Serving

    def _connection_opened(self, connection: socket.socket) -> None:
        with self._condition:
            self._open_connections.add(connection)
            self._connections_opened += 1

    def _connection_closed(self, connection: socket.socket) -> None:
        with self._condition:
            self._open_connections.discard(connection)

    def _respond(self, body: bytes, client_ip: str) -> Reply:
        with self._condition:
            self._in_flight += 1
            self._max_in_flight = max(self._max_in_flight, self._in_flight)
        try:
            self._stopping.wait(self.latency_seconds)
            reply, delay_seconds = self._handle(body, client_ip)
            self._stopping.wait(delay_seconds)
            return reply
        finally:
            with self._condition:
                self._in_flight -= 1

    def _handle(self, body: bytes, client_ip: str) -> tuple[Reply, float]:
        form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        action = form.get("action", "")
        params = {name: value for name, value in form.items() if name not in _NOT_PARAMETERS}
        with self._condition:
            fault = self._faults.take(action)
            answer = self._answer(form, client_ip) if fault.applies else None
            recorded = self._calls if fault.applies else self._failed_calls
            recorded.append(RecordedCall(action, params, answer))
            self._condition.notify_all()
        if fault.reply is not None:
            return fault.reply, fault.delay_seconds
        assert answer is not None, "a fault that makes no change always replaces the answer"
        return _encoded(answer, form), fault.delay_seconds

    def _answer(self, form: dict[str, str], client_ip: str) -> dict[str, Any]:
        try:
            self._authorise(form, client_ip)
        except ApiError as refusal:
            return {"result": "error", "message": refusal.message}
        return actions.answer(self._portal, form.get("action", ""), form)

    def _authorise(self, form: dict[str, str], client_ip: str) -> None:
        if not self.ip_allowed and (
            self.access_key is None or form.get("accesskey") != self.access_key
        ):
            raise ApiError(f"Invalid IP {client_ip}")
        identifier = form.get("identifier", form.get("username"))
        secret = form.get("secret", form.get("password"))
        if (identifier, secret) != (self.identifier, self.secret):
            raise ApiError("Authentication Failed")
        action = form.get("action", "")
        if (
            self._allowed_actions is not None
            and actions.knows(action)
            and action.lower() not in self._allowed_actions
        ):
            raise ApiError(f'Invalid Permissions: API action "{action.lower()}" is not allowed')


def _encoded(answer: dict[str, Any], form: dict[str, str]) -> Reply:
    """JSON when asked for with ``responsetype=json``; otherwise WHMCS's XML (only its result
    and message here: the stand-in expects every caller to ask for JSON)."""
    if form.get("responsetype") == "json":
        return json_reply(answer)
    return xml_reply({name: str(answer[name]) for name in ("result", "message") if name in answer})
