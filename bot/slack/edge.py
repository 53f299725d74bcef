"""What a request to the Request URL must pass before anything else reads it: signature headers
that could be Slack's, a bounded body received in time, Slack's signature over it, and a body
parsed as Slack means it, in the shapes Slack gives it. Each check is cheap, the cheapest first,
and none logs the body: an unsigned one may be forged to look like log lines, a late genuine one
carries a ``response_url``."""

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeGuard
from urllib.parse import parse_qsl

import anyio
from slack_sdk.signature import SignatureVerifier
from starlette.requests import ClientDisconnect, Request

# Slack's largest real bodies (a block_actions payload, a message event) are about 40 KB, and
# this app's modals and events are smaller: 1 MiB is ample, and all a request may cost.
MAX_BODY_BYTES = 1024 * 1024
# Slack sends its body at once; a client still sending after this long is not Slack.
BODY_SECONDS = 10.0
# Slack's window for the request timestamp (SignatureVerifier's too).
TIMESTAMP_WINDOW_SECONDS = 5 * 60
TIMESTAMP = re.compile(r"[0-9]{1,15}")
SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")


@dataclass(frozen=True)
class Refused:
    """A request refused at the edge: the status to answer, and the reason for one DEBUG line."""

    status: int
    reason: str


async def signed_body(
    verifier: SignatureVerifier, request: Request, limit: int = MAX_BODY_BYTES
) -> bytes | Refused:
    """The body, once Slack's signature over it is checked; or why the request is refused.

    A body declared too large, and signature headers missing, malformed or out of Slack's
    window, are refused before a byte of the body is read. The body is then read no further than
    ``limit`` and for no longer than ``BODY_SECONDS``."""
    if declared_over(request, limit):
        return Refused(413, "body declared larger than the limit")
    problem = header_problem(verifier, request.headers)
    if problem is not None:
        return Refused(401, problem)
    body = await bounded_body(request, limit)
    if isinstance(body, Refused):
        return body
    problem = signature_problem(verifier, body, request.headers)
    return body if problem is None else Refused(401, problem)


def header_problem(verifier: SignatureVerifier, headers: Mapping[str, str]) -> str | None:
    """Why the signature headers cannot be Slack's, judged without the body; None when they
    might be (a timestamp within 5 minutes of now and a signature of the right form)."""
    timestamp = headers.get("x-slack-request-timestamp")
    signature = headers.get("x-slack-signature")
    if timestamp is None or signature is None:
        return "unsigned"
    if not TIMESTAMP.fullmatch(timestamp) or not SIGNATURE.fullmatch(signature):
        return "signature headers malformed"
    if abs(verifier.clock.now() - int(timestamp)) > TIMESTAMP_WINDOW_SECONDS:
        return "timestamp more than 5 minutes from now"
    return None


def declared_over(request: Request, limit: int) -> bool:
    """Whether the request's ``Content-Length`` says its body is larger than ``limit``."""
    declared = request.headers.get("content-length", "")
    return declared.isascii() and declared.isdigit() and int(declared) > limit


async def bounded_body(request: Request, limit: int = MAX_BODY_BYTES) -> bytes | Refused:
    """The body, read no further than ``limit`` and for no longer than ``BODY_SECONDS``; a
    client that goes away meanwhile is refused too (nobody hears the answer)."""
    chunks: list[bytes] = []
    size = 0
    try:
        with anyio.fail_after(BODY_SECONDS):
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    return Refused(413, "body larger than the limit")
                chunks.append(chunk)
    except TimeoutError:
        return Refused(408, f"body not received within {BODY_SECONDS:g} s")
    except ClientDisconnect:
        return Refused(400, "the client went away while sending the body")
    return b"".join(chunks)


def signature_problem(
    verifier: SignatureVerifier, body: bytes, headers: Mapping[str, str]
) -> str | None:
    """Why this request may not be Slack's, or None when Slack signed it in the last 5 minutes."""
    timestamp = headers.get("x-slack-request-timestamp")
    signature = headers.get("x-slack-signature")
    if timestamp is None or signature is None:
        return "unsigned"
    try:
        valid = verifier.is_valid(body, timestamp=timestamp, signature=signature)
    except (ValueError, TypeError):  # a timestamp not an integer, a signature not ASCII, …
        return "signature headers or body malformed"
    return None if valid else "signature does not match, or timestamp older than 5 minutes"


def parsed_body(text: str, content_type: str) -> dict[str, Any] | None:
    """The body as Slack means it, or None when Slack would never send it: JSON for the Events
    API; a form whose one field is ``payload`` for interactivity, the JSON in that field; any
    other form (a slash command) as it is, whatever its values mention. Either way, the fields
    Bolt reads without looking must have the shapes Slack gives them (``slack_shaped``)."""
    try:
        if content_type == "application/json":
            body = json.loads(text)
        else:
            form = dict(parse_qsl(text, keep_blank_values=True))
            body = json.loads(form["payload"]) if form.keys() == {"payload"} else form
    except (ValueError, RecursionError):  # RecursionError: JSON nested too deep to parse
        return None
    return body if isinstance(body, dict) and slack_shaped(body) else None


# Fields naming a user, team, organisation or channel: Bolt takes a string as the id and
# otherwise looks for "id" in it, and so in the objects it searches for them.
ID_FIELDS = ("user", "team", "enterprise", "channel")
SEARCHED = ("event", "message", "previous_message", "item", "assistant_thread")


def slack_shaped(body: dict[str, Any]) -> bool:
    """Whether the fields that Bolt (``slack_bolt/request/internals.py``, ``payload_utils.py``,
    the listener matchers) indexes without checking have the shapes Slack gives them:
    ``event`` and ``view`` objects; ``response_urls`` a list of objects, ``authorizations``
    one or null; ``actions`` a list of objects, for ``block_actions`` not empty and each with
    its ``action_id``; and a user, team, organisation or channel a string, an object or null,
    wherever Bolt looks for one."""
    if any(key in body and not isinstance(body[key], dict) for key in ("event", "view")):
        return False
    if "response_urls" in body and not _objects(body["response_urls"]):
        return False
    authorizations = body.get("authorizations")
    if authorizations is not None and not _objects(authorizations):
        return False
    if "actions" in body and not _actions_shaped(body["actions"], body.get("type")):
        return False
    searched = [body, *(authorizations or [])]
    while searched:  # a work list, not recursion: a forged body may nest them deep
        holder = searched.pop()
        if not all(isinstance(holder.get(key), str | dict | None) for key in ID_FIELDS):
            return False
        searched += [holder[key] for key in SEARCHED if isinstance(holder.get(key), dict)]
    return True


def _objects(value: object) -> TypeGuard[list[dict[str, Any]]]:
    return isinstance(value, list) and all(isinstance(item, dict) for item in value)


def _actions_shaped(actions: object, kind: object) -> bool:
    if not _objects(actions):
        return False
    if kind != "block_actions":
        return True
    return bool(actions) and all(isinstance(action.get("action_id"), str) for action in actions)
