"""Slack's Request URL on Starlette: the sync Bolt app runs in a worker thread, so one slow
listener never holds up the event loop (Bolt's own Starlette adapter runs it on the loop)."""

import anyio
import anyio.to_thread
from slack_bolt import App, BoltRequest
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

# Requests answered at once; more wait their turn on the event loop, where waiting is cheap,
# rather than as threads contending for the interpreter and the connection pool.
WORKERS = 16


def slack_events_route(app: App) -> Route:
    workers = anyio.CapacityLimiter(WORKERS)

    async def slack_events(request: Request) -> Response:
        body = (await request.body()).decode("utf-8", errors="replace")
        bolt_request = BoltRequest(
            body=body,
            query=request.url.query,
            headers={key: [value] for key, value in request.headers.items()},
        )
        bolt_response = await anyio.to_thread.run_sync(app.dispatch, bolt_request, limiter=workers)
        return Response(
            status_code=bolt_response.status,
            content=bolt_response.body,
            headers=bolt_response.first_headers_without_set_cookie(),
        )

    return Route("/slack/events", slack_events, methods=["POST"])
