"""The composition root: settings in, the Bolt app with every listener wired by closure out."""

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import Engine

from bot.core import BillingAccess, Clock, utc_now
from bot.handlers import actions, commands, events, installs, views, workspace
from bot.handlers.common import Deps
from bot.handlers.early import EarlyAnswers
from bot.handlers.replies import ReplyCache
from bot.logs import redact_secrets
from bot.settings import Settings
from bot.slack.delivery import Deliverer
from bot.slack.home import HomePublisher
from bot.slack.setup import slack_for
from bot.whmcs.client import WhmcsClient
from bot.whmcs.portal import WhmcsPortal
from bot.whmcs.sender import PortalSender
from bot.whmcs.sync import PortalSync
from storage.stamps import account_stamps
from storage.unit_of_work import unit_of_work_factory

BACKGROUND_WORKERS = 8

log = logging.getLogger(__name__)


class BillingApp(App):
    """Bolt's App, saying in one line that no listener handles a request (Bolt's own warning
    is a page long, with an outline of the body and code suggestions)."""

    def _handle_unmatched_requests(self, req: BoltRequest, resp: BoltResponse) -> BoltResponse:
        log.info("no listener for %r; answered %s", _kind(req.body), resp.status)
        return resp


def _kind(body: dict[str, Any]) -> str:
    event = body.get("event")
    if isinstance(event, dict):
        return f"event {event.get('type')}"
    return str(body.get("command") or body.get("type") or "request")


@dataclass(frozen=True)
class Bot:
    """The Bolt app and what else the server and scheduler need from the same root."""

    app: App
    deps: Deps
    verifier: SignatureVerifier | None
    """Slack's signature check for the Request URL: set when ``SLACK_SIGNING_SECRET`` is."""
    early: EarlyAnswers | None
    """What may be answered before Bolt: set when requests are signed and the database can
    be read without waiting (see ``storage/stamps.py``)."""

    closers: tuple[Callable[[], None], ...] = ()
    """What else to release when the bot stops (the WHMCS client and its sync pool)."""

    async def close(self) -> None:
        """Release what the bot holds open on the event loop (call it from that loop)."""
        if self.early is not None:
            await self.early.close()
        for close in self.closers:
            close()


def create_app(
    settings: Settings,
    *,
    engine: Engine,
    clock: Clock = utc_now,
    client: WebClient | None = None,
) -> Bot:
    """The bot; ``client`` stands for the Web API client of ``SLACK_BOT_TOKEN``."""
    _redact(settings)
    whmcs = WhmcsClient(settings.whmcs) if settings.whmcs is not None else None
    portal = WhmcsPortal(whmcs) if whmcs is not None else None
    uow = unit_of_work_factory(engine)
    core = BillingAccess.create(
        uow,
        clock=clock,
        defaults=settings.timings,
        portal=portal,
        sync_every=settings.WHMCS_SYNC_EVERY,
    )
    background = ThreadPoolExecutor(max_workers=BACKGROUND_WORKERS, thread_name_prefix="later")
    slack = slack_for(settings, uow, core, clock, client)
    to_whmcs = PortalSender(core, portal).senders() if portal is not None else {}
    deliverer = Deliverer(core, slack.clients, clock, to_whmcs)
    homes = HomePublisher(core, slack.clients, clock)
    replies = ReplyCache()
    portal_sync = (
        None
        if portal is None
        else PortalSync(core, portal, concurrency=settings.WHMCS_MAX_CONCURRENCY)
    )
    closers = () if whmcs is None or portal_sync is None else (portal_sync.close, whmcs.close)
    deps = Deps(core, deliverer, homes, clock, background, replies, portal_sync)
    secret = settings.SLACK_SIGNING_SECRET
    app = BillingApp(
        client=slack.client,
        authorize=slack.authorize,  # type: ignore[arg-type]  # Bolt's Authorize may say None
        oauth_settings=slack.oauth_settings,
        # The Request URL's edge checks each signature once, before Bolt, and quietly (Bolt
        # would log the body of each request it refuses). Socket Mode needs no signature.
        request_verification_enabled=False,
        token_verification_enabled=False,
        # Answer Slack as soon as the listener returns, from the request's own thread:
        # listeners acknowledge first and leave every Web API call to Deps.later.
        process_before_response=True,
    )
    workspace.register(app, deps)
    for surface in (commands, actions, views, events):
        surface.register(app, deps)
    if slack.installs is not None:
        installs.register(app, deps, slack.installs)
    if secret is None:
        return Bot(app, deps, None, None, closers)
    verifier = SignatureVerifier(secret.get_secret_value())
    return Bot(app, deps, verifier, _early_answers(engine, replies, clock), closers)


def _redact(settings: Settings) -> None:
    secrets = (
        settings.SLACK_BOT_TOKEN,
        settings.SLACK_CLIENT_SECRET,
        settings.SECRETS_KEY,
        settings.SLACK_SIGNING_SECRET,
        settings.SLACK_APP_TOKEN,
        settings.BILLING_API_TOKEN,
    )
    whmcs = settings.whmcs.secret_values() if settings.whmcs is not None else ()
    redact_secrets([*(s.get_secret_value() for s in secrets if s is not None), *whmcs])


def _early_answers(engine: Engine, replies: ReplyCache, clock: Clock) -> EarlyAnswers | None:
    stamps = account_stamps(engine)
    return None if stamps is None else EarlyAnswers(stamps, replies, clock)
