"""Events: the App Home opened, and someone joining the workspace. Slack retries an event it
thinks was lost; each event id is handled once, whichever replica gets it."""

from slack_bolt import App
from slack_bolt.kwargs_injection.args import Args

from bot.handlers.common import Deps, guarded, team_of


def register(app: App, deps: Deps) -> None:
    def first_time(args: Args) -> bool:
        args.ack()
        event_id = str(args.body.get("event_id") or "")
        return not event_id or deps.core.outbox.first_time(event_id)

    def on_home_opened(args: Args) -> None:
        event = args.event or {}
        if event.get("tab") == "home" and first_time(args):
            team, user = team_of(args), str(event.get("user") or "")
            deps.later(args, lambda: deps.homes.publish(team, user))

    def on_team_join(args: Args) -> None:
        user = (args.event or {}).get("user") or {}
        email = str((user.get("profile") or {}).get("email") or "")
        if first_time(args) and email:
            deps.core.invitations.welcome(team_of(args), email)
            deps.after_change(team_of(args))

    app.event("app_home_opened")(guarded(on_home_opened))
    app.event("team_join")(guarded(on_team_join))
