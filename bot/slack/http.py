"""Slack's Request URL on Starlette: the sync Bolt app runs in a worker thread, so one slow
listener never holds up the event loop (Bolt's own Starlette adapter runs it on the loop)."""

from slack_bolt import App, BoltRequest
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


def slack_events_route(app: App) -> Route:
    async def slack_events(request: Request) -> Response:
        body = (await request.body()).decode("utf-8", errors="replace")
        bolt_request = BoltRequest(
            body=body,
            query=request.url.query,
            headers={key: [value] for key, value in request.headers.items()},
        )
        bolt_response = await run_in_threadpool(app.dispatch, bolt_request)
        return Response(
            status_code=bolt_response.status,
            content=bolt_response.body,
            headers=bolt_response.first_headers_without_set_cookie(),
        )

    return Route("/slack/events", slack_events, methods=["POST"])
