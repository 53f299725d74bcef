"""What every listener shares: its dependencies, and the one place errors become replies."""

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt.kwargs_injection.args import Args
from slack_sdk import WebClient

from bot.blocks import messages, modals
from bot.blocks.messages import Message
from bot.blocks.text import escape
from bot.core import BillingAccess, Clock
from bot.core.errors import DomainError
from bot.slack.delivery import Deliverer
from bot.slack.home import HomePublisher

log = logging.getLogger(__name__)

UNEXPECTED = (
    "Sorry, something went wrong on our side and nothing was changed. Please try again in a moment."
)


@dataclass(frozen=True)
class Deps:
    """Everything a listener needs, handed over by the composition root."""

    core: BillingAccess
    client: WebClient
    deliverer: Deliverer
    homes: HomePublisher
    clock: Clock

    def after_change(self, team_id: str, *user_ids: str | None) -> None:
        """Send what the change owes people and refresh the App Homes that show it."""
        self.deliverer.deliver_due()
        self.homes.refresh(team_id, *user_ids)


Listener = Callable[[Args], None]


def guarded(listener: Listener) -> Listener:
    """Turn a refusal from the core into a reply to the person, and anything unexpected into
    an apology and a log line: the one error handler of every listener."""

    @functools.wraps(listener)
    def run(args: Args) -> None:
        try:
            listener(args)
        except DomainError as error:
            reply(args, messages.notice(escape(error.message)))
        except Exception:
            log.exception("listener %s failed", listener.__name__)
            reply(args, messages.notice(UNEXPECTED))

    return run


def reply(args: Args, message: Message) -> None:
    """Show ``message`` to the person who acted, in the way this kind of request allows."""
    body: dict[str, Any] = args.body
    if body.get("type") == "view_submission" and args.ack.response is None:
        args.ack(response_action="update", view=modals.notice_modal(message.text))
        return
    if args.ack.response is None and body.get("command"):
        args.ack(text=message.text, blocks=message.blocks)
        return
    if args.ack.response is None:
        args.ack()
    if body.get("response_url"):
        args.respond(
            text=message.text,
            blocks=message.blocks,
            response_type="ephemeral",
            replace_original=False,
        )
    elif body.get("trigger_id"):
        args.client.views_open(
            trigger_id=body["trigger_id"], view=modals.notice_modal(message.text)
        )


def team_of(args: Args) -> str:
    """The workspace the request came from, as Slack signed it."""
    body: dict[str, Any] = args.body
    team = body.get("team_id") or (body.get("team") or {}).get("id") or args.context.team_id
    return str(team or "")


def user_of(args: Args) -> str:
    """The Slack user who acted, as Slack signed it."""
    return str(args.context.user_id or "")
