"""Serve only the workspace the app is installed in (DESIGN §3): a request for any other team,
or one made for a whole Enterprise Grid organisation, is refused politely before any listener
runs, and nothing changes. With OAuth, Bolt's authorisation has found the installation of the
request's workspace already (a workspace without one is asked to install the app)."""

from typing import Any

from slack_bolt import App, BoltResponse
from slack_bolt.kwargs_injection.args import Args

from bot.blocks import messages
from bot.handlers.common import Deps
from bot.slack.client import UNVERIFIED

NOT_INSTALLED = (
    "Sorry, Billing Access is not installed in this workspace, so it cannot act here. "
    "Nothing was changed."
)
UNREACHABLE = (
    "Sorry, Billing Access cannot reach Slack right now, so it cannot check where this "
    "request comes from. Nothing was changed. Please try again in a minute."
)
ORGANISATION_WIDE = (
    "Sorry, Billing Access works per workspace, and this request came for a whole Enterprise "
    "Grid organisation. Use it from a workspace where it is installed. Nothing was changed."
)


def register(app: App, deps: Deps) -> None:
    """Serve only the workspace the authorised token belongs to: any other team, or a request
    made for a whole organisation, gets a polite refusal before any listener runs."""

    def only_the_installed_workspace(args: Args) -> BoltResponse | None:
        refusal = _refusal(args)
        if refusal is None:
            args.next()
            return None
        deps.reply_soon(args, messages.notice(refusal))
        return args.ack.response or BoltResponse(status=200, body="")

    app.use(only_the_installed_workspace)


def _refusal(args: Args) -> str | None:
    installed = args.context.authorize_result
    if installed is None:  # nothing to compare with (url_verification, ssl_check)
        return None
    if installed.get(UNVERIFIED):
        return UNREACHABLE
    if not installed.team_id:  # the token is an organisation's: its workspaces are served
        return None if args.context.enterprise_id == installed.enterprise_id else NOT_INSTALLED
    if _for_an_organisation(args.body):
        return ORGANISATION_WIDE
    if args.context.team_id != installed.team_id:
        return NOT_INSTALLED
    return None


def _for_an_organisation(body: dict[str, Any]) -> bool:
    flag = body.get("is_enterprise_install")
    authorizations = body.get("authorizations") or [{}]
    if isinstance(authorizations, list) and isinstance(authorizations[0], dict):
        flag = authorizations[0].get("is_enterprise_install", flag)
    return flag is True or flag == "true"
