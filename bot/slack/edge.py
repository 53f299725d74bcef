"""What a request to the Request URL must pass before anything else reads it: a bounded body,
Slack's signature, and a body parsed as Slack means it. Each check is cheap, and none logs the
body: an unsigned one may be forged to look like log lines, a late genuine one carries a
``response_url``."""

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

from slack_sdk.signature import SignatureVerifier
from starlette.requests import Request

# Slack's largest real bodies (a block_actions payload, a message event) are about 40 KB, and
# this app's modals and events are smaller: 1 MiB is ample, and all an unsigned request costs.
MAX_BODY_BYTES = 1024 * 1024


async def bounded_body(request: Request, limit: int = MAX_BODY_BYTES) -> bytes | None:
    """The body, or None as soon as it is known to be longer than ``limit`` (read no further)."""
    if int(request.headers.get("content-length", 0)) > limit:
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)


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
    other form (a slash command) as it is, whatever its values mention."""
    try:
        if content_type == "application/json":
            body = json.loads(text)
        else:
            form = dict(parse_qsl(text, keep_blank_values=True))
            body = json.loads(form["payload"]) if form.keys() == {"payload"} else form
    except ValueError:
        return None
    return body if isinstance(body, dict) else None
