"""The HTTP server's routes: health now; Slack and the access API are mounted beside it."""

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from storage.engine import is_database_reachable

Lifespan = Callable[[Starlette], AbstractAsyncContextManager[None]]


def health_route(engine: Engine) -> Route:
    async def healthz(_request: Request) -> Response:
        if await run_in_threadpool(is_database_reachable, engine):
            return JSONResponse({"status": "ok"})
        return JSONResponse({"status": "database unavailable"}, status_code=503)

    return Route("/healthz", healthz, methods=["GET"])


def create_web_app(
    engine: Engine, routes: list[BaseRoute] | None = None, *, lifespan: Lifespan | None = None
) -> Starlette:
    """The ASGI application served by ``billing-bot serve``."""
    return Starlette(routes=[health_route(engine), *(routes or [])], lifespan=lifespan)
