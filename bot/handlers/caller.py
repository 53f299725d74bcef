"""Which installed workspace a request concerns and who is acting, decided once for every kind
of request (DESIGN §3).

The workspace is the one the app is installed in, as Bolt's context reads it from Slack's
fields: ``view.app_installed_team_id`` for views, ``authorizations`` for events, ``team.id``
for actions and commands. It is never simply the first ``team`` field of a payload. The
actor's own workspace (``user.team_id``) is read only to recognise someone from another
organisation in a Slack Connect channel.
"""

from dataclasses import dataclass
from typing import Any

from slack_bolt.kwargs_injection.args import Args


@dataclass(frozen=True)
class Caller:
    """Who is acting, and in which installed workspace."""

    team_id: str
    user_id: str
    organisation: str | None = None
    """The actor's own workspace when it is not this one (Slack Connect), else None."""

    @property
    def where_and_who(self) -> tuple[str, str]:
        return self.team_id, self.user_id


def caller_of(args: Args) -> Caller:
    team = str(args.context.team_id or "")
    return Caller(team, str(args.context.user_id or ""), elsewhere(_actor_team(args.body), team))


def elsewhere(home: str | None, team: str) -> str | None:
    """``home``, the actor's own workspace, when it is known and not ``team``."""
    return home if home and home.startswith("T") and home != team else None


def _actor_team(body: dict[str, Any]) -> str | None:
    """The acting user's own workspace, where Slack says it: interactivity's ``user.team_id``."""
    user = body.get("user")
    team = user.get("team_id") if isinstance(user, dict) else None
    return str(team) if team else None
