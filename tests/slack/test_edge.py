"""The edge's parts on their own: a body is read no further than the limit, each body Slack
sends is parsed as Slack means it, whatever its values mention, and one nested too deep to
parse is malformed."""

import asyncio
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from slack_sdk.signature import SignatureVerifier
from starlette.requests import Request
from starlette.types import Message

from bot.slack.edge import MAX_BODY_BYTES, Refused, bounded_body, parsed_body, signed_body
from tests.conftest import OWNER, TEAM
from tests.e2e.slack_requests import command_body

REPLAYS = Path(__file__).parents[2].parent / "shared" / "slack" / "replay_payloads"
FORM = "application/x-www-form-urlencoded"
CHUNK = 64 * 1024
DEEP = "[" * 100_000 + "]" * 100_000
"""JSON nested deeper than Python's parser recurses."""


class HugeBody:
    """An ASGI ``receive`` of a body 64 times the limit, counting the chunks taken from it."""

    def __init__(self) -> None:
        self.taken = 0

    async def __call__(self) -> Message:
        self.taken += 1
        more = self.taken < 64 * MAX_BODY_BYTES // CHUNK
        return {"type": "http.request", "body": b"x" * CHUNK, "more_body": more}


def _request(receive: Any, headers: dict[str, str] | None = None) -> Request:
    raw = [(key.encode(), value.encode()) for key, value in (headers or {}).items()]
    scope = {"type": "http", "method": "POST", "path": "/slack/events", "headers": raw}
    return Request(scope, receive)


def test_a_huge_body_is_read_only_just_past_the_limit() -> None:
    huge = HugeBody()
    assert asyncio.run(bounded_body(_request(huge))) == Refused(413, "body larger than the limit")
    assert huge.taken == MAX_BODY_BYTES // CHUNK + 1


def test_a_body_declared_too_large_is_not_read_at_all() -> None:
    huge = HugeBody()
    declared = {"content-length": str(MAX_BODY_BYTES + 1)}
    refused = asyncio.run(signed_body(SignatureVerifier("secret"), _request(huge, declared)))
    assert isinstance(refused, Refused) and refused.status == 413
    assert huge.taken == 0


def test_a_body_up_to_the_limit_is_read_whole() -> None:
    async def whole() -> Message:
        return {"type": "http.request", "body": b"x" * MAX_BODY_BYTES, "more_body": False}

    assert asyncio.run(bounded_body(_request(whole))) == b"x" * MAX_BODY_BYTES


def _command(text: str, **fields: str) -> str:
    body = command_body(OWNER, text, "https://hooks.example/cmd", channel="C0", team=TEAM)
    return f"{body}&{urlencode(fields)}" if fields else body


@pytest.mark.parametrize(
    "body",
    [
        _command("resend payload@corp.example"),
        _command("contact add payload@x.example payload team"),
        _command("pending", channel_name="payload-alerts"),
        _command("payload={}"),
    ],
)
def test_a_command_form_is_the_command_whatever_it_mentions(body: str) -> None:
    parsed = parsed_body(body, FORM)
    assert parsed is not None and parsed["command"] == "/billing-invite"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [("payload={", FORM), ("payload=[1]", FORM), ("payload=", FORM), ("[1]", "application/json"),
     ("{", "application/json"), ("", "application/json"), (DEEP, "application/json"),
     (urlencode({"payload": DEEP}), FORM), (f'{{"event": {{"a": {DEEP}}}}}', "application/json")],
)  # fmt: skip
def test_a_body_slack_never_sends_is_malformed(body: str, content_type: str) -> None:
    assert parsed_body(body, content_type) is None


def _as_sent(replay: dict[str, Any]) -> tuple[str, str, dict[str, Any]]:
    """The replayed body on the wire, its content type, and what it means."""
    body: dict[str, Any] = replay["body"]
    if replay["wire"] == "json":
        return json.dumps(body), "application/json", body
    if replay["wire"] == "payload":
        return urlencode({"payload": json.dumps(body)}), FORM, body
    return urlencode(body), FORM, {key: str(value) for key, value in body.items()}


def test_every_real_slack_body_is_parsed_as_slack_means_it_and_well_within_the_limit() -> None:
    replays = sorted(REPLAYS.glob("*/*.json"))
    assert replays, f"no replayed Slack payloads in {REPLAYS}: put ../shared beside the checkout"
    for path in replays:
        text, content_type, meant = _as_sent(json.loads(path.read_text()))
        assert parsed_body(text, content_type) == meant, path.name
        assert len(text.encode()) < MAX_BODY_BYTES / 10, path.name
