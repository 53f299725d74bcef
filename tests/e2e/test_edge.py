"""The Request URL's edge, through the real HTTP path: bodies are bounded before they are read,
a request without signature headers that could be Slack's is refused before its body is read,
a body is read only for so long, a client that goes away is forgotten quietly, anything not
signed by Slack is refused quietly and never logged, a signed body Slack would never send is a
quiet 400, and a slash command's form is routed as a command whatever it mentions."""

import contextlib
import json
import logging
import socket
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
import pytest
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import Engine

from bot.blocks import ids
from bot.slack import edge
from bot.slack.edge import MAX_BODY_BYTES
from tests.e2e.conftest import OWNER, SECRET, Running, serve_bot
from tests.e2e.slack_requests import (
    click_payload,
    command_body,
    event_body,
    submission_payload,
)
from tests.e2e.steps import invite, set_up
from tests.slack_stub import SlackStub

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
MARKER = "marker-7f3a"
FORGED_LINE = f"{MARKER}\nINFO bot: granted all permissions to eve"
CHUNK = 64 * 1024
Shape = tuple[str, str, dict[str, str]]
"""A request's body, content type and headers."""


@pytest.fixture
def logged(engine: Engine, stub: SlackStub, caplog: pytest.LogCaptureFixture) -> Iterator[Running]:
    """The bot served with every record captured, at any level: set before the app is built
    (Bolt's loggers take the root logger's level then), uvicorn's too (they stop short of the
    root logger)."""
    caplog.set_level(logging.DEBUG)
    with serve_bot(engine, stub) as running:
        uvicorn = logging.getLogger("uvicorn")
        uvicorn.addHandler(caplog.handler)
        caplog.clear()
        try:
            yield running
        finally:
            uvicorn.removeHandler(caplog.handler)


def _server_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """What the server logged (the test's own HTTP client logs each request at INFO)."""
    return [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]


def _status_of_raw_request(running: Running, head: str, body: Iterator[bytes]) -> int:
    """Send a request by hand, body part by part; the status the server answers before it
    closes the connection (rather than read the rest of the body only to discard it)."""
    url = urlsplit(running.base_url)
    with socket.create_connection((url.hostname, url.port), timeout=3) as connection:
        connection.sendall(f"{head}Host: {url.netloc}\r\n\r\n".encode())
        with contextlib.suppress(ConnectionResetError, BrokenPipeError):  # answered already
            for part in body:
                connection.sendall(part)
        response = b""
        with contextlib.suppress(ConnectionResetError):  # closed with some of our body unread
            while received := connection.recv(4096):
                response += received
    return int(response.split(maxsplit=2)[1])


def _plausible(timestamp: str | None = None) -> str:
    """Signature headers of the form Slack's take, with a signature that matches nothing."""
    timestamp = timestamp or _now()
    return f"X-Slack-Request-Timestamp: {timestamp}\r\nX-Slack-Signature: v0={'0' * 64}\r\n"


def _chunked(total: int) -> Iterator[bytes]:
    for _ in range(0, total, CHUNK):
        yield b"%x\r\n%s\r\n" % (CHUNK, b"x" * CHUNK)


def test_a_body_declared_too_large_is_refused_before_it_is_sent(running: Running) -> None:
    head = f"POST /slack/events HTTP/1.1\r\nContent-Length: {256 * 1024 * 1024}\r\n"
    assert _status_of_raw_request(running, head, iter([])) == 413
    assert httpx.get(f"{running.base_url}/healthz").status_code == 200


def test_a_streamed_body_is_refused_once_it_passes_the_limit(running: Running) -> None:
    # The body never ends: only a server that stops reading at the limit can answer.
    head = f"POST /slack/events HTTP/1.1\r\nTransfer-Encoding: chunked\r\n{_plausible()}"
    assert _status_of_raw_request(running, head, _chunked(MAX_BODY_BYTES + CHUNK)) == 413
    assert httpx.get(f"{running.base_url}/healthz").status_code == 200


SIX_MINUTES = 6 * 60
NOT_SLACKS: dict[str, Callable[[], str]] = {
    "no headers": lambda: "",
    "no signature": lambda: f"X-Slack-Request-Timestamp: {_now()}\r\n",
    "no timestamp": lambda: f"X-Slack-Signature: v0={'0' * 64}\r\n",
    "timestamp abc": lambda: _plausible("abc"),
    "timestamp with a fraction": lambda: _plausible(f"{_now()}.0"),
    "timestamp signed": lambda: _plausible(f"+{_now()}"),
    "signature not hex": lambda: _plausible().replace("v0=0", "v0=z"),
    "signature too short": lambda: _plausible().replace("v0=00", "v0="),
    "signature of another version": lambda: _plausible().replace("v0=", "v1="),
    "timestamp 6 minutes old": lambda: _plausible(str(int(time.time()) - SIX_MINUTES)),
    "timestamp 6 minutes ahead": lambda: _plausible(str(int(time.time()) + SIX_MINUTES)),
}


@pytest.mark.parametrize("case", list(NOT_SLACKS))
def test_headers_that_cannot_be_slacks_are_refused_before_the_body_is_read(
    logged: Running, caplog: pytest.LogCaptureFixture, case: str
) -> None:
    # The body is declared and never sent: only a server that does not wait for it answers.
    head = f"POST /slack/events HTTP/1.1\r\nContent-Length: {MAX_BODY_BYTES}\r\n"
    assert _status_of_raw_request(logged, head + NOT_SLACKS[case](), iter([])) == 401
    assert [record.levelno for record in _server_records(caplog)] == [logging.DEBUG]


def test_a_body_not_received_in_time_is_refused_quietly(
    logged: Running, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(edge, "BODY_SECONDS", 0.5)
    head = f"POST /slack/events HTTP/1.1\r\nContent-Length: 100\r\n{_plausible()}"
    started = time.monotonic()
    assert _status_of_raw_request(logged, head, iter([b"token=x"])) == 408
    assert time.monotonic() - started < 2
    assert [record.levelno for record in _server_records(caplog)] == [logging.DEBUG]


def _wait_for_record(caplog: pytest.LogCaptureFixture, words: str) -> None:
    deadline = time.monotonic() + 5
    while not any(words in record.getMessage() for record in caplog.records):
        if time.monotonic() > deadline:
            break
        time.sleep(0.02)


def test_a_client_that_goes_away_mid_body_is_forgotten_quietly(
    logged: Running, caplog: pytest.LogCaptureFixture
) -> None:
    url = urlsplit(logged.base_url)
    with socket.create_connection((url.hostname, url.port), timeout=3) as connection:
        head = f"POST /slack/events HTTP/1.1\r\nContent-Length: 1000\r\n{_plausible()}"
        connection.sendall(f"{head}Host: {url.netloc}\r\n\r\ntoken=x".encode())
        time.sleep(0.2)  # the server is reading the body by now
    _wait_for_record(caplog, "went away")
    records = _server_records(caplog)
    assert [record.levelno for record in records] == [logging.DEBUG], [
        record.getMessage() for record in records
    ]
    assert httpx.get(f"{logged.base_url}/healthz").status_code == 200


def _post(running: Running, body: str, content_type: str, headers: dict[str, str]) -> int:
    response = running.slack.http.post(
        f"{running.base_url}/slack/events",
        content=body.encode(errors="surrogateescape"),  # "\udcff" sends the byte 0xff
        headers={"Content-Type": content_type, **headers},
    )
    return response.status_code


def _signed_headers(body: str, timestamp: str, secret: str = SECRET) -> dict[str, str]:
    signature = SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=body)
    return {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": str(signature)}


def _now() -> str:
    return str(int(time.time()))


def _command_mentioning(marker: str) -> str:
    return command_body(OWNER, f"contact add {marker}", f"https://hooks.example/{marker}",
                        channel="C0BILLING", team="T0001")  # fmt: skip


REFUSED_QUIETLY: dict[str, Callable[[str], dict[str, str]]] = {
    "wrong secret": lambda body: _signed_headers(body, _now(), secret="not-the-secret"),
    "stale": lambda body: _signed_headers(body, str(int(time.time()) - 6 * 60)),
    "no signature": lambda body: {"X-Slack-Request-Timestamp": _now()},
    "no headers": lambda body: {},
}


@pytest.mark.parametrize("marker", [MARKER, FORGED_LINE], ids=["marker", "forged line"])
@pytest.mark.parametrize("forgery", list(REFUSED_QUIETLY))
def test_a_request_not_signed_by_slack_is_refused_and_its_body_never_logged(
    logged: Running, caplog: pytest.LogCaptureFixture, forgery: str, marker: str
) -> None:
    body = _command_mentioning(marker)
    assert _post(logged, body, FORM, REFUSED_QUIETLY[forgery](body)) == 401
    for record in caplog.records:
        assert MARKER not in record.getMessage() + (record.exc_text or "")
    assert [record.levelno for record in _server_records(caplog)] in ([], [logging.DEBUG])


def _unsigned(body: str, content_type: str = FORM) -> Shape:
    return body, content_type, {"X-Slack-Request-Timestamp": _now(), "X-Slack-Signature": "v0=0"}


def _timestamped(timestamp: str) -> Shape:
    body = _command_mentioning(MARKER)
    return body, FORM, _signed_headers(body, timestamp)


def _signed(body: str, content_type: str = FORM) -> Shape:
    return body, content_type, _signed_headers(body, _now())


MALFORMED: dict[str, tuple[Callable[[], Shape], int]] = {
    "unsigned {": (lambda: _unsigned("{"), 401),
    "unsigned payload={": (lambda: _unsigned("payload={"), 401),
    "unsigned payload=[1]": (lambda: _unsigned("payload=[1]"), 401),
    "unsigned JSON array": (lambda: _unsigned("[1]", JSON), 401),
    "unsigned JSON array as a form": (lambda: _unsigned("[1]"), 401),
    "unsigned body not UTF-8": (lambda: _unsigned("text=\udcff"), 401),
    "timestamp abc": (lambda: _timestamped("abc"), 401),
    "timestamp empty": (lambda: _timestamped(""), 401),
    "timestamp with a fraction": (lambda: _timestamped(f"{_now()}.0"), 401),
    "signed payload={": (lambda: _signed("payload={"), 400),
    "signed payload=[1]": (lambda: _signed("payload=[1]"), 400),
    "signed JSON array": (lambda: _signed("[1]", JSON), 400),
    "signed JSON that is not JSON": (lambda: _signed("{", JSON), 400),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_a_malformed_request_is_refused_quietly(
    logged: Running, caplog: pytest.LogCaptureFixture, case: str
) -> None:
    shape, status = MALFORMED[case]
    body, content_type, headers = shape()
    assert _post(logged, body, content_type, headers) == status
    assert [record.levelno for record in _server_records(caplog)] in ([], [logging.DEBUG])


NESTED = "[" * 100_000 + "]" * 100_000
"""JSON nested deeper than Python's parser recurses."""


def _changed(payload: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    return {**payload, **changes}


def _click(**changes: Any) -> Shape:
    payload = click_payload(OWNER, ids.RESEND, "1", team="T0001",
                            response_url="https://hooks.example/click")  # fmt: skip
    return _signed(urlencode({"payload": json.dumps(_changed(payload, changes))}))


def _submission(**changes: Any) -> Shape:
    payload = submission_payload(OWNER, {"type": "modal", "callback_id": ids.CONTACT_MODAL},
                                 {}, team="T0001")  # fmt: skip
    return _signed(urlencode({"payload": json.dumps(_changed(payload, changes))}))


def _event(**changes: Any) -> Shape:
    event = {"type": "app_home_opened", "user": OWNER, "channel": "D0HOME", "tab": "home"}
    body = event_body(event, event_id="Ev0EDGE", team="T0001")
    return _signed(json.dumps(_changed(body, changes)), JSON)


SIGNED_BUT_NEVER_SENT: dict[str, Callable[[], Shape]] = {
    "deeply nested JSON": lambda: _signed(f'{{"event": {NESTED}}}', JSON),
    "deeply nested payload": lambda: _signed(urlencode({"payload": f'{{"a": {NESTED}}}'})),
    "actions null": lambda: _click(actions=None),
    "actions empty": lambda: _click(actions=[]),
    "actions a string": lambda: _click(actions="x"),
    "actions of strings": lambda: _click(actions=["x"]),
    "an action without its id": lambda: _click(actions=[{"value": "1"}]),
    "event null": lambda: _event(event=None),
    "event a string": lambda: _event(event="x"),
    "event a list": lambda: _event(event=[]),
    "an event's user a number": lambda: _event(event={"type": "app_home_opened", "user": 5}),
    "a message's user a list": lambda: _event(
        event={"type": "message", "message": {"type": "message", "user": ["id"]}}
    ),
    "authorizations a string": lambda: _event(authorizations="x"),
    "authorizations of strings": lambda: _event(authorizations=["x"]),
    "authorizations an object": lambda: _event(authorizations={"team_id": "T0001"}),
    "authorizations a number": lambda: _event(authorizations=0),
    "an authorization's enterprise a number": lambda: _event(
        team_id=None, authorizations=[{"enterprise": 5, "team_id": "T0001"}]
    ),
    "view a string": lambda: _submission(view="x"),
    "view null": lambda: _submission(view=None),
    "response_urls of strings": lambda: _submission(response_urls=["x"]),
    "response_urls null": lambda: _submission(response_urls=None),
    "user a number": lambda: _click(user=5),
    "user a list": lambda: _click(user=["id"]),
    "team a number": lambda: _click(team=5),
    "enterprise a number": lambda: _click(enterprise=5),
    "channel a number": lambda: _click(channel=5),
    "a command with an event": lambda: _signed(_command_mentioning(MARKER) + "&event=x"),
}


@pytest.mark.parametrize("case", list(SIGNED_BUT_NEVER_SENT))
def test_a_signed_body_slack_never_sends_is_a_quiet_400(
    logged: Running, caplog: pytest.LogCaptureFixture, case: str
) -> None:
    body, content_type, headers = SIGNED_BUT_NEVER_SENT[case]()
    assert _post(logged, body, content_type, headers) == 400
    assert [record.levelno for record in _server_records(caplog)] in ([], [logging.DEBUG])


def test_a_signature_header_that_is_not_ascii_is_refused_quietly(
    logged: Running, caplog: pytest.LogCaptureFixture
) -> None:
    body = _command_mentioning(MARKER)
    response = logged.slack.http.post(
        f"{logged.base_url}/slack/events",
        content=body.encode(),
        headers={b"Content-Type": FORM.encode(), b"X-Slack-Request-Timestamp": _now().encode(),
                 b"X-Slack-Signature": b"v0=\xff"},
    )  # fmt: skip
    assert response.status_code == 401
    assert [record.levelno for record in _server_records(caplog)] in ([], [logging.DEBUG])


def test_an_invitation_to_an_address_that_mentions_payload_is_resent(running: Running) -> None:
    set_up(running)
    invite(running, "payload@corp.example", ["invoices"])
    answer = running.slack.command(OWNER, "resend payload@corp.example")
    assert "The invitation to payload@corp.example was sent again." in answer.text


def test_a_contact_named_payload_team_is_added(running: Running) -> None:
    set_up(running)
    answer = running.slack.command(OWNER, "contact add payload@x.example payload team")
    assert "payload@x.example is now a contact" in answer.text


def test_pending_typed_in_a_channel_named_payload_is_answered(running: Running) -> None:
    set_up(running)
    invite(running, "ana@example.com", ["invoices"])
    body = command_body(OWNER, "pending", running.stub.response_url(), channel="C0PAY",
                        team="T0001")  # fmt: skip
    body = body.replace("channel_name=billing", "channel_name=payload-alerts")
    answer = running.slack.post(body, FORM)
    assert answer.status_code == 200
    assert "ana@example.com" in answer.text
