"""The app uninstalled from a workspace, or its bot token revoked (only with OAuth, where
tokens are stored per workspace)."""

from slack_bolt import App
from slack_bolt.kwargs_injection.args import Args

from bot.handlers.common import Deps
from bot.slack.installs import Installs


def register(app: App, deps: Deps, installs: Installs) -> None:
    def on_uninstalled(args: Args) -> None:
        args.ack()
        installs.uninstalled(args.context.enterprise_id, args.context.team_id, "app_uninstalled")

    def on_tokens_revoked(args: Args) -> None:
        args.ack()
        tokens = (args.event or {}).get("tokens") or {}
        if tokens.get("bot"):
            installs.uninstalled(args.context.enterprise_id, args.context.team_id, "tokens_revoked")

    app.event("app_uninstalled")(deps.guarded(on_uninstalled))
    app.event("tokens_revoked")(deps.guarded(on_tokens_revoked))
