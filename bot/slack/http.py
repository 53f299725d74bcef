"""Slack's Request URL on Starlette: the sync Bolt app runs in a worker thread, so one slow
listener never holds up the event loop (Bolt's own Starlette adapter runs it on the loop).

Every request passes the edge (``bot/slack/edge.py``) first, on the loop: what is too large,
too slow, not signed by Slack, or not a body Slack sends is refused there, quietly (one DEBUG
line), and Bolt is handed the body already parsed (it neither checks the signature again nor
parses it its own way)."""

import logging
import time
from collections.abc import Mapping
from typing import Any

import anyio
import anyio.to_thread
from slack_bolt import BoltContext, BoltRequest, BoltResponse
from slack_bolt.request.internals import build_context
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.app import Bot
from bot.grammar import parse_command
from bot.metrics import SLACK_REQUESTS
from bot.slack.edge import Refused, parsed_body, signed_body

# Requests answered at once; more wait their turn on the event loop, where waiting is cheap,
# rather than as threads contending for the interpreter and the connection pool.
WORKERS = 16

# The longest name taken from a request into a metric's label.
MAX_NAME = 40

logger = logging.getLogger(__name__)


def slack_events_route(bot: Bot) -> Route:
    """Refuse what is not Slack's, hand the rest to Bolt."""
    if bot.verifier is None:
        raise ValueError("setting SLACK_SIGNING_SECRET is required to serve HTTP")
    verifier, app = bot.verifier, bot.app
    workers = anyio.CapacityLimiter(WORKERS)

    async def slack_events(request: Request) -> Response:
        started = time.perf_counter()
        kind, response = await answer(request)
        outcome = _outcome(response.status_code)
        SLACK_REQUESTS.labels(kind, outcome).observe(time.perf_counter() - started)
        return response

    async def answer(request: Request) -> tuple[str, Response]:
        body = await signed_body(verifier, request)
        if isinstance(body, Refused):
            logger.debug("refused a request to the Request URL: %s", body.reason)
            # Closing the connection spares reading any rest of the body just to discard it.
            return "unsigned", Response(status_code=body.status, headers={"Connection": "close"})
        text = body.decode()  # a valid signature means it is UTF-8
        parsed = parsed_body(text, _media_type(request.headers))
        if parsed is None:
            logger.debug("refused a signed request to the Request URL: its body is malformed")
            return "malformed", Response(status_code=400)
        bolt_request = _to_bolt(text, parsed, request.headers, request.url.query)
        bolt_response = await anyio.to_thread.run_sync(app.dispatch, bolt_request, limiter=workers)
        return request_kind(parsed), _from_bolt(bolt_response)

    return Route("/slack/events", slack_events, methods=["POST"])


def request_kind(body: Mapping[str, Any]) -> str:
    """What a request Slack signed asks for, in few enough words to label a metric with: the
    command's verb, the event's type, the button's action id or the modal's callback id (all
    of them the bot's own or Slack's, and each cut short)."""
    if "command" in body:
        return f"command {parse_command(str(body.get('text', ''))).verb}"
    kind = str(body.get("type", "request"))[:MAX_NAME]
    if kind == "event_callback":
        detail = body.get("event", {}).get("type")
    elif kind == "block_actions":  # the edge let it through: its actions have action ids
        detail = body["actions"][0]["action_id"]
    elif kind in ("view_submission", "view_closed"):
        detail = body.get("view", {}).get("callback_id")
    else:
        return kind
    return f"{kind} {str(detail)[:MAX_NAME]}"


def _outcome(status: int) -> str:
    return "ok" if status < 400 else "refused" if status < 500 else "error"


def _media_type(headers: Mapping[str, str]) -> str:
    return headers.get("content-type", "").partition(";")[0].strip().lower()


def _to_bolt(
    text: str, body: dict[str, Any], headers: Mapping[str, str], query: str
) -> BoltRequest:
    # Given a str body, BoltRequest parses it again, taking any form that mentions "payload"
    # for interactivity: give it none, then the body parsed here.
    request = BoltRequest(
        body="", query=query, headers={key: [value] for key, value in headers.items()}
    )
    request.raw_body, request.body = text, body
    request.context = build_context(BoltContext(), body)
    return request


def _from_bolt(response: BoltResponse) -> Response:
    return Response(
        status_code=response.status,
        content=response.body,
        headers=response.first_headers_without_set_cookie(),
    )
