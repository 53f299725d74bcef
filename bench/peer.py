"""The peer: a bare Bolt app as Slack's own samples set it up (a default sync ``App`` behind
``slack_bolt.adapter.starlette``'s ``SlackRequestHandler`` on uvicorn) that only acks.

The one departure from the samples is the ``WebClient`` pointed at the stand-in Slack, which
answers the ``auth.test`` a default ``App`` makes; ``python -m bench.peer --port N``.
"""

import os
import re

from slack_bolt import Ack, App
from slack_bolt.adapter.starlette import SlackRequestHandler
from slack_sdk import WebClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bench.tiny import serve


def create_api() -> Starlette:
    client = WebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"])
    app = App(client=client, signing_secret=os.environ["SLACK_SIGNING_SECRET"])

    @app.command("/billing-invite")
    def billing_invite(ack: Ack) -> None:
        ack("ok")

    # The mix (part 6) sends the bot's other kinds of request too: each is only acknowledged.
    @app.event("app_home_opened")
    def home_opened(ack: Ack) -> None:
        ack()

    @app.action(re.compile(".*"))
    def clicked(ack: Ack) -> None:
        ack()

    @app.view(re.compile(".*"))
    def submitted(ack: Ack) -> None:
        ack()

    handler = SlackRequestHandler(app)

    async def endpoint(request: Request) -> Response:
        return await handler.handle(request)

    return Starlette(routes=[Route("/slack/events", endpoint=endpoint, methods=["POST"])])


if __name__ == "__main__":
    serve(create_api, __doc__)
