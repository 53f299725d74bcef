"""What every listener shares: its dependencies, and the one place errors become replies."""

import functools
import logging
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

from slack_bolt.kwargs_injection.args import Args
from slack_sdk.errors import SlackApiError

from bot.blocks import messages, modals
from bot.blocks.messages import Message
from bot.blocks.text import escape
from bot.core import BillingAccess, Clock
from bot.core.errors import DomainError
from bot.handlers.caller import caller_of
from bot.handlers.replies import ReplyCache
from bot.slack.channels import error_code
from bot.slack.delivery import Deliverer
from bot.slack.home import HomePublisher
from bot.whmcs.sync import PortalSync

log = logging.getLogger(__name__)

TRY_AGAIN = "Sorry, Slack did not let me open that form in time. Please run the command again."
TRIGGER_ERRORS = {"expired_trigger_id", "exchanged_trigger_id", "invalid_trigger_id"}


UNEXPECTED = (
    "Sorry, something went wrong on our side and nothing was changed. Please try again in a moment."
)


@dataclass(frozen=True)
class Deps:
    """Everything a listener needs, handed over by the composition root.

    Bolt answers Slack when a listener returns (``process_before_response``), so a listener
    acknowledges, then hands whatever needs Slack's Web API to ``later``: the answer to
    Slack never waits on another call to Slack.
    """

    core: BillingAccess
    deliverer: Deliverer
    homes: HomePublisher
    clock: Clock
    background: Executor
    replies: ReplyCache
    portal_sync: PortalSync | None = None
    """Set when the bot drives WHMCS: reconciles the connected accounts that are due."""

    def later(self, args: Args, work: Callable[[], object]) -> None:
        """Run ``work`` after the response to Slack, answering its errors as ``guarded`` does."""
        self.background.submit(answering_errors, args, work, _name(work), reply)

    def open_modal(self, args: Args, view: dict[str, Any]) -> None:
        """Acknowledge, then open ``view`` with the request's trigger. A trigger Slack no
        longer takes (used, or older than its 3 seconds) asks the person to try again."""
        trigger_id = str(args.body.get("trigger_id") or "")
        if not trigger_id:
            _try_again(args, "no trigger_id")
            return
        args.ack()
        self.later(args, lambda: self._open_modal(args, trigger_id, view))

    def _open_modal(self, args: Args, trigger_id: str, view: dict[str, Any]) -> None:
        try:
            args.client.views_open(trigger_id=trigger_id, view=view)
        except SlackApiError as error:
            if error_code(error) not in TRIGGER_ERRORS:
                raise
            _try_again(args, error_code(error))

    def guarded(self, listener: "Listener") -> "Listener":
        """Turn a refusal from the core into a reply to the person, and anything unexpected
        into an apology and a log line: the one error handler of every listener."""

        @functools.wraps(listener)
        def run(args: Args) -> None:
            answering_errors(args, lambda: listener(args), listener.__name__, self.reply_soon)

        return run

    def reply_soon(self, args: Args, message: Message) -> None:
        """Reply in the acknowledgement where Slack allows it; otherwise acknowledge now and
        reply after the response, so the answer to Slack never waits on a call to Slack."""
        if _answerable_in_ack(args):
            reply(args, message)
            return
        if args.ack.response is None:
            args.ack()
        self.background.submit(reply, args, message)

    def after_change(self, team_id: str, *user_ids: str | None) -> None:
        """Soon: send what the change owes people and refresh the App Homes that show it."""
        self.background.submit(self._after_change, team_id, user_ids)

    def _after_change(self, team_id: str, user_ids: tuple[str | None, ...]) -> None:
        try:
            self.deliverer.deliver_owed()
            self.homes.refresh(team_id, *user_ids)
            if self.portal_sync is not None:  # a new connection is imported at once
                self.portal_sync.soon(then=self.deliverer.deliver_all)
        except Exception:  # the scheduler's sweep delivers what this pass could not
            log.exception("delivering after a change failed")


Listener = Callable[[Args], None]
Show = Callable[[Args, Message], None]


def answering_errors(args: Args, work: Callable[[], object], name: str, show: Show) -> None:
    try:
        work()
    except DomainError as error:
        show(args, messages.notice(escape(_to_the_caller(args, error.message))))
    except Exception:
        log.exception("listener %s failed", name)
        show(args, messages.notice(UNEXPECTED))


def _try_again(args: Args, reason: str) -> None:
    log.info("could not open a form (%s); asked the person to try again", reason)
    reply(args, messages.notice(TRY_AGAIN))


def _to_the_caller(args: Args, refusal: str) -> str:
    """A refusal, naming the organisation of someone from another one (Slack Connect)."""
    organisation = caller_of(args).organisation
    if organisation is None or organisation in refusal:
        return refusal
    return f"{refusal} (You are signed in from another organisation, {organisation}.)"


def _name(work: Callable[[], object]) -> str:
    return getattr(work, "__name__", "background work")


def _answerable_in_ack(args: Args) -> bool:
    body: dict[str, Any] = args.body
    kind_allows = body.get("type") == "view_submission" or bool(body.get("command"))
    return kind_allows and args.ack.response is None


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
        _show_in_a_modal(args, str(body["trigger_id"]), message)


def _show_in_a_modal(args: Args, trigger_id: str, message: Message) -> None:
    """The one way to answer a click with no conversation (App Home, a shortcut); when Slack
    no longer takes the trigger, there is no way left to answer, so it is only logged."""
    try:
        args.client.views_open(trigger_id=trigger_id, view=modals.notice_modal(message.text))
    except SlackApiError as error:
        if error_code(error) not in TRIGGER_ERRORS:
            raise
        log.info("could not show a reply (%s)", error_code(error))
