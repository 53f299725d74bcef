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
from bot.handlers.replies import ReplyCache
from bot.logs import redact_secrets
from bot.mail.sender import InvitationMailer
from bot.mail.smtp import Mailer
from bot.settings import Settings
from bot.slack.client import SlackClients, client_of
from bot.slack.delivery import Deliverer, Sender
from bot.slack.home import HomePublisher
from bot.slack.people import full_name
from bot.slack.setup import slack_for
from bot.whmcs.client import WhmcsClient
from bot.whmcs.portal import WhmcsPortal
from bot.whmcs.sender import PortalSender
from bot.whmcs.sync import PortalSync
from storage.tables import Account, OutboxKind
from storage.unit_of_work import unit_of_work_factory
from storage.write_turns import mark_background_thread

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

    closers: tuple[Callable[[], None], ...] = ()
    """What else to release when the bot stops (the WHMCS client and its sync pool)."""

    def close(self) -> None:
        """Release what the bot holds open (the WHMCS client and its sync pool)."""
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
    background = ThreadPoolExecutor(
        max_workers=BACKGROUND_WORKERS,
        thread_name_prefix="later",
        initializer=mark_background_thread,
    )
    slack = slack_for(settings, uow, core, clock, client)
    to_whmcs = PortalSender(core, portal).senders() if portal is not None else {}
    emails = _emails(settings, core, slack.clients, clock)
    deliverer = Deliverer(core, slack.clients, clock, {**to_whmcs, **emails})
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
        return Bot(app, deps, None, closers)
    verifier = SignatureVerifier(secret.get_secret_value())
    return Bot(app, deps, verifier, closers)


def _emails(
    settings: Settings, core: BillingAccess, clients: SlackClients, clock: Clock
) -> dict[OutboxKind, Sender]:
    """The sender of invitation emails, when ``SMTP_URL``, ``MAIL_FROM`` and ``PUBLIC_URL``
    turn them on (DESIGN §11)."""
    mail = settings.mail
    if mail is None:
        return {}

    def name_of(account: Account, user_id: str) -> str:
        return full_name(client_of(clients, account), user_id)

    sender = InvitationMailer(core, mail, Mailer(mail.smtp), clock, name_of)
    return {OutboxKind.INVITATION_EMAIL: sender.send}


def _redact(settings: Settings) -> None:
    secrets = (
        settings.SLACK_BOT_TOKEN,
        settings.SLACK_CLIENT_SECRET,
        settings.SECRETS_KEY,
        settings.SLACK_SIGNING_SECRET,
        settings.SLACK_APP_TOKEN,
        settings.BILLING_API_TOKEN,
        settings.METRICS_TOKEN,
        settings.SMTP_URL,
    )
    whmcs = settings.whmcs.secret_values() if settings.whmcs is not None else ()
    mail = settings.mail
    smtp = (mail.smtp.password,) if mail is not None and mail.smtp.password is not None else ()
    secret_values = (s.get_secret_value() for s in (*secrets, *smtp) if s is not None)
    redact_secrets([*secret_values, *whmcs])
