"""What `billing-bot serve` runs in each worker process: the whole bot as one ASGI app, its
scheduler started and stopped with it. Workers share nothing but the database."""

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from slack_bolt.adapter.socket_mode import SocketModeHandler
from starlette.applications import Starlette
from starlette.routing import BaseRoute

from bot.api import access_routes
from bot.app import Bot, create_app
from bot.core.invitations import Response as Answer
from bot.metrics import metrics_route
from bot.pages.routes import invitation_routes
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
    routes = ([] if socket_mode else [slack_events_route(bot)]) + other_routes(bot, settings)

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
            bot.close()

    return create_web_app(engine, routes, lifespan=lifespan)


def other_routes(bot: Bot, settings: Settings) -> list[BaseRoute]:
    """The routes beside Slack's, each on only when its settings are set."""
    routes: list[BaseRoute] = []
    if bot.app.oauth_flow is not None:
        routes += oauth_routes(bot.app.oauth_flow)
    if settings.BILLING_API_TOKEN is not None:
        routes += access_routes(bot.deps.core, settings.BILLING_API_TOKEN.get_secret_value())
    if settings.METRICS_TOKEN is not None:
        routes.append(metrics_route(bot.deps.core, settings.METRICS_TOKEN.get_secret_value()))
    return routes + page_routes(bot, settings)


def page_routes(bot: Bot, settings: Settings) -> list[BaseRoute]:
    """The emailed invitation links' pages, when invitations are emailed (DESIGN §11)."""
    if settings.mail is None:
        return []
    deps = bot.deps

    def after_answer(answer: Answer) -> None:
        account = answer.account
        deps.after_change(account.team_id, account.owner_user_id, answer.invitation.invitee_user_id)

    secure = settings.mail.public_url.startswith("https://")
    return invitation_routes(deps.core, after_answer, secure_cookies=secure)


def from_environment() -> Starlette:
    """The factory each worker process calls (its settings come from the environment)."""
    return build(load_settings())
