"""Who a Slack user is, as Slack's own API says (never as a client claims)."""

from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError


@dataclass(frozen=True)
class SlackPerson:
    user_id: str
    email: str
    is_admin: bool
    team_id: str
    """The user's own workspace (another one for someone in a Slack Connect channel)."""


def person(client: WebClient, user_id: str) -> SlackPerson:
    """``users.info`` for ``user_id``: email, whether a workspace admin or owner, and whose
    workspace they belong to."""
    user = client.users_info(user=user_id)["user"]
    return SlackPerson(
        user_id=user_id,
        email=str(user.get("profile", {}).get("email") or ""),
        is_admin=bool(user.get("is_admin") or user.get("is_owner")),
        team_id=str(user.get("team_id") or ""),
    )


def full_name(client: WebClient, user_id: str) -> str:
    """``user_id``'s name for someone outside the workspace: the real name, else the display
    name; "" for a user Slack no longer knows."""
    try:
        user = client.users_info(user=user_id)["user"]
    except SlackApiError as error:
        if error.response.get("error") == "user_not_found":
            return ""
        raise
    profile = user.get("profile", {})
    names = (profile.get("real_name"), user.get("real_name"), profile.get("display_name"))
    return str(next((name for name in names if name), user.get("name") or ""))


def user_id_for_email(client: WebClient, email: str) -> str | None:
    """The workspace member with this email, or None when there is none."""
    try:
        return str(client.users_lookupByEmail(email=email)["user"]["id"])
    except SlackApiError as error:
        if error.response.get("error") == "users_not_found":
            return None
        raise
