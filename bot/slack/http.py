"""Slack's Request URL on Starlette: the sync Bolt app runs in a worker thread, so one slow
listener never holds up the event loop (Bolt's own Starlette adapter runs it on the loop)."""

from collections.abc import Mapping

import anyio
import anyio.to_thread
from slack_bolt import App, BoltRequest, BoltResponse
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.handlers.early import EarlyAnswers
from bot.handlers.replies import JSON_CONTENT_TYPE

# Requests answered at once; more wait their turn on the event loop, where waiting is cheap,
# rather than as threads contending for the interpreter and the connection pool.
WORKERS = 16


def slack_events_route(app: App, early: EarlyAnswers | None) -> Route:
    """Answer what ``early`` can on the event loop; hand everything else to Bolt."""
    workers = anyio.CapacityLimiter(WORKERS)

    async def slack_events(request: Request) -> Response:
        body = await request.body()
        answer = await early.answer(body, request.headers) if early is not None else None
        if answer is not None:
            return Response(answer, media_type=JSON_CONTENT_TYPE)
        bolt_request = _to_bolt(body, request.headers, request.url.query)
        bolt_response = await anyio.to_thread.run_sync(app.dispatch, bolt_request, limiter=workers)
        return _from_bolt(bolt_response)

    return Route("/slack/events", slack_events, methods=["POST"])


def _to_bolt(body: bytes, headers: Mapping[str, str], query: str) -> BoltRequest:
    return BoltRequest(
        body=body.decode("utf-8", errors="replace"),
        query=query,
        headers={key: [value] for key, value in headers.items()},
    )


def _from_bolt(response: BoltResponse) -> Response:
    return Response(
        status_code=response.status,
        content=response.body,
        headers=response.first_headers_without_set_cookie(),
    )
