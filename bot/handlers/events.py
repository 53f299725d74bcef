"""Events: the App Home opened, someone joining the workspace, and the bot added to or removed
from a channel. Slack retries an event it thinks was lost; each event id is handled once,
whichever replica gets it."""

from collections.abc import Callable

from slack_bolt import App
from slack_bolt.kwargs_injection.args import Args

from bot.core.channels import ChannelProblem
from bot.handlers.caller import caller_of
from bot.handlers.common import Deps


def register(app: App, deps: Deps) -> None:
    def once(args: Args, work: Callable[[], object]) -> None:
        """After the response, do ``work`` unless this event was handled already (recording
        handled events is a write: the acknowledgement does not wait for it)."""
        event_id = str(args.body.get("event_id") or "")

        def first_time_only() -> None:
            if not event_id or deps.core.outbox.first_time(event_id):
                work()

        deps.later(args, first_time_only)

    def on_home_opened(args: Args) -> None:
        args.ack()
        if (args.event or {}).get("tab") == "home":
            team, user = caller_of(args).where_and_who
            once(args, lambda: deps.homes.publish(team, user))

    def on_team_join(args: Args) -> None:
        args.ack()
        user = (args.event or {}).get("user") or {}
        email = str((user.get("profile") or {}).get("email") or "")
        if email:
            team = caller_of(args).team_id
            once(args, lambda: welcome(team, email))

    def welcome(team: str, email: str) -> None:
        deps.core.invitations.welcome(team, email)
        deps.after_change(team)

    def is_the_bot(args: Args) -> bool:
        bot = args.context.bot_user_id
        return bool(bot) and (args.event or {}).get("user") == bot

    def on_bot_added(args: Args) -> None:
        args.ack()
        if is_the_bot(args):
            team, channel = caller_of(args).team_id, str((args.event or {}).get("channel") or "")
            once(args, lambda: bot_can_post(team, channel))

    def bot_can_post(team: str, channel: str) -> None:
        account = deps.core.channels.can_post(team, channel)
        if account is not None:
            deps.after_change(team, account.owner_user_id)

    def bot_removed(args: Args) -> None:
        args.ack()
        team, channel = caller_of(args).team_id, str((args.event or {}).get("channel") or "")
        once(args, lambda: bot_cannot_post(team, channel))

    def bot_cannot_post(team: str, channel: str) -> None:
        account = deps.core.channels.cannot_post(team, channel, ChannelProblem.NOT_A_MEMBER)
        if account is not None:
            deps.after_change(team, account.owner_user_id)

    def on_member_left(args: Args) -> None:
        if is_the_bot(args):
            bot_removed(args)
        else:
            args.ack()

    app.event("app_home_opened")(deps.guarded(on_home_opened))
    app.event("team_join")(deps.guarded(on_team_join))
    app.event("member_joined_channel")(deps.guarded(on_bot_added))
    app.event("member_left_channel")(deps.guarded(on_member_left))
    app.event("channel_left")(deps.guarded(bot_removed))
    app.event("group_left")(deps.guarded(bot_removed))
