"""What `billing-bot serve` runs in each worker process: the whole bot as one ASGI app, its
scheduler started and stopped with it. Workers share nothing but the database."""

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from slack_bolt.adapter.socket_mode import SocketModeHandler
from starlette.applications import Starlette
from starlette.routing import BaseRoute

from bot.api import access_routes
from bot.app import create_app
from bot.scheduler import start_scheduler
from bot.settings import Settings, load_settings
from bot.slack.http import slack_events_route
from bot.slack.oauth import oauth_routes
from bot.web import create_web_app
from storage.engine import make_engine


def build(settings: Settings, *, socket_mode: bool = False) -> Starlette:
    """The ASGI app; the schema must already be up to date."""
    engine = make_engine(settings.DATABASE_URL)
    bot = create_app(settings, engine=engine)
    routes: list[BaseRoute] = [] if socket_mode else [slack_events_route(bot)]
    if bot.app.oauth_flow is not None:
        routes += oauth_routes(bot.app.oauth_flow)
    if settings.BILLING_API_TOKEN is not None:
        routes += access_routes(bot.deps.core, settings.BILLING_API_TOKEN.get_secret_value())

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        if socket_mode:
            assert settings.SLACK_APP_TOKEN is not None
            token = settings.SLACK_APP_TOKEN.get_secret_value()
            SocketModeHandler(bot.app, token).connect()  # type: ignore[no-untyped-call]
        scheduler = start_scheduler(
            bot.deps.core,
            bot.deps.deliverer,
            every=settings.REMINDER_SWEEP_EVERY,
            portal_sync=bot.deps.portal_sync,
        )
        gc.freeze()  # what start-up built lives for good: spare the collector rescanning it
        try:
            yield
        finally:
            scheduler.shutdown(wait=False)
            await bot.close()

    return create_web_app(engine, routes, lifespan=lifespan)


def from_environment() -> Starlette:
    """The factory each worker process calls (its settings come from the environment)."""
    return build(load_settings())
