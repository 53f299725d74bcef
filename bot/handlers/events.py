"""Events: the App Home opened, someone joining the workspace, and the bot added to or removed
from a channel. Slack retries an event it thinks was lost; each event id is handled once,
whichever replica gets it."""

from slack_bolt import App
from slack_bolt.kwargs_injection.args import Args

from bot.core.channels import ChannelProblem
from bot.handlers.caller import caller_of
from bot.handlers.common import Deps


def register(app: App, deps: Deps) -> None:
    def first_time(args: Args) -> bool:
        args.ack()
        event_id = str(args.body.get("event_id") or "")
        return not event_id or deps.core.outbox.first_time(event_id)

    def on_home_opened(args: Args) -> None:
        event = args.event or {}
        if event.get("tab") == "home" and first_time(args):
            team, user = caller_of(args).where_and_who
            deps.later(args, lambda: deps.homes.publish(team, user))

    def on_team_join(args: Args) -> None:
        user = (args.event or {}).get("user") or {}
        email = str((user.get("profile") or {}).get("email") or "")
        if first_time(args) and email:
            team = caller_of(args).team_id
            deps.core.invitations.welcome(team, email)
            deps.after_change(team)

    def is_the_bot(args: Args) -> bool:
        bot = args.context.bot_user_id
        return bool(bot) and (args.event or {}).get("user") == bot

    def on_bot_added(args: Args) -> None:
        args.ack()
        if is_the_bot(args) and first_time(args):
            team, channel = caller_of(args).team_id, str((args.event or {}).get("channel") or "")
            account = deps.core.channels.can_post(team, channel)
            if account is not None:
                deps.after_change(team, account.owner_user_id)

    def bot_removed(args: Args) -> None:
        if first_time(args):
            team, channel = caller_of(args).team_id, str((args.event or {}).get("channel") or "")
            problem = ChannelProblem.NOT_A_MEMBER
            account = deps.core.channels.cannot_post(team, channel, problem)
            if account is not None:
                deps.after_change(team, account.owner_user_id)

    def on_member_left(args: Args) -> None:
        args.ack()
        if is_the_bot(args):
            bot_removed(args)

    app.event("app_home_opened")(deps.guarded(on_home_opened))
    app.event("team_join")(deps.guarded(on_team_join))
    app.event("member_joined_channel")(deps.guarded(on_bot_added))
    app.event("member_left_channel")(deps.guarded(on_member_left))
    app.event("channel_left")(deps.guarded(bot_removed))
    app.event("group_left")(deps.guarded(bot_removed))
