"""Installing the app into a workspace through Slack's OAuth v2 flow, with Bolt's OAuth support:
``GET /slack/install`` starts it, ``GET /slack/oauth_redirect`` completes it. Installations and
the flows' state live in the database (``bot/slack/installations.py``), so a flow started on
one replica completes on another."""

import html
import logging
from collections.abc import Callable, Sequence
from datetime import timedelta

import anyio.to_thread
from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.oauth import OAuthFlow
from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk.errors import SlackClientError
from slack_sdk.oauth.installation_store import Installation
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.slack.installations import DatabaseInstallationStore, DatabaseStateStore
from bot.slack.oauth_config import INSTALL_PATH, REDIRECT_PATH, OAuthConfig
from bot.slack.scopes import BOT_SCOPES

log = logging.getLogger(__name__)

STATE_LIFETIME = timedelta(minutes=10)

FAILURES = {
    "access_denied": "The installation was cancelled in Slack, so nothing was installed.",
    "invalid_browser": (
        "This link did not come from an installation started in this browser (or it was "
        "opened without its state)."
    ),
    "invalid_state": "This installation link was used already or has expired.",
    "missing_code": "Slack did not send the code that completes the installation.",
    "invalid_code": "Slack did not accept this installation's code (used already or expired).",
}
FAILED = "The installation did not complete."
UNREACHABLE = "Slack could not be reached to complete the installation; try again in a moment."


def oauth_settings(
    config: OAuthConfig,
    store: DatabaseInstallationStore,
    states: DatabaseStateStore,
    on_installed: Callable[[Installation], None],
) -> OAuthSettings:
    """Bolt's OAuth settings: our stores, the scopes the manifest asks for, and pages that
    say plainly what went wrong. ``on_installed`` runs once an installation is stored."""

    def success(args: SuccessArgs) -> BoltResponse:
        on_installed(args.installation)
        return args.default.success(args)

    return OAuthSettings(
        client_id=config.client_id,
        client_secret=config.client_secret.get_secret_value(),
        scopes=list(BOT_SCOPES),
        user_scopes=[],
        redirect_uri=config.redirect_uri,
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        installation_store=store,
        installation_store_bot_only=True,
        state_store=states,
        state_expiration_seconds=int(STATE_LIFETIME.total_seconds()),
        callback_options=CallbackOptions(success=success, failure=_failure_page),
    )


def _failure_page(args: FailureArgs) -> BoltResponse:
    reason = FAILURES.get(args.reason, FAILED)
    return _page(reason, args.suggested_status_code, args.settings.install_path)


def _page(reason: str, status: int, install_path: str) -> BoltResponse:
    install = html.escape(install_path)
    body = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Billing Access</title></head>"
        f"<body><h1>Billing Access was not installed</h1><p>{html.escape(reason)}</p>"
        f"<p>Nothing was stored. <a href='{install}'>Start the installation again</a>.</p>"
        "</body></html>"
    )
    return BoltResponse(
        status=status,
        body=body,
        headers={"Content-Type": "text/html; charset=utf-8"},
    )


def oauth_routes(flow: OAuthFlow) -> list[Route]:
    """The install and redirect pages, run in a worker thread (they read and write the
    database, and call Slack)."""

    async def install(request: Request) -> Response:
        return _from_bolt(await anyio.to_thread.run_sync(flow.handle_installation, _bolt(request)))

    def complete(request: BoltRequest) -> BoltResponse:
        try:
            return flow.handle_callback(request)
        except (SlackClientError, OSError) as error:  # Bolt lets these through as a 500
            log.warning("could not complete an installation: %s", type(error).__name__)
            return _page(UNREACHABLE, 503, flow.settings.install_path)

    async def redirect(request: Request) -> Response:
        return _from_bolt(await anyio.to_thread.run_sync(complete, _bolt(request)))

    return [
        Route(INSTALL_PATH, install, methods=["GET"]),
        Route(REDIRECT_PATH, redirect, methods=["GET"]),
    ]


def _bolt(request: Request) -> BoltRequest:
    headers: dict[str, str | Sequence[str]] = dict(request.headers.items())
    return BoltRequest(body="", query=request.url.query, headers=headers)


def _from_bolt(response: BoltResponse) -> Response:
    headers = response.first_headers_without_set_cookie()
    answer = Response(status_code=response.status, content=response.body, headers=headers)
    for cookie in response.cookies():  # the OAuth state's cookie, set and then cleared
        for morsel in cookie.values():
            answer.raw_headers.append((b"set-cookie", morsel.OutputString().encode()))
    return answer
