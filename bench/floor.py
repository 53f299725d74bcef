"""The floor: uvicorn and Starlette alone, verifying Slack's signature and answering a
constant; ``python -m bench.floor --port N``."""

import os

from slack_sdk.signature import SignatureVerifier
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from bench.tiny import serve


def create_api() -> Starlette:
    verifier = SignatureVerifier(os.environ["SLACK_SIGNING_SECRET"])

    async def endpoint(request: Request) -> Response:
        body = await request.body()
        if not verifier.is_valid_request(body, dict(request.headers)):
            return PlainTextResponse("invalid request", status_code=401)
        return PlainTextResponse("ok")

    return Starlette(routes=[Route("/slack/events", endpoint=endpoint, methods=["POST"])])


if __name__ == "__main__":
    serve(create_api, __doc__)
