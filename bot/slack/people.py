"""Who a Slack user is, as Slack's own API says (never as a client claims)."""

from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError


@dataclass(frozen=True)
class SlackPerson:
    user_id: str
    email: str
    is_admin: bool


def person(client: WebClient, user_id: str) -> SlackPerson:
    """``users.info`` for ``user_id``: email and whether a workspace admin or owner."""
    user = client.users_info(user=user_id)["user"]
    return SlackPerson(
        user_id=user_id,
        email=str(user.get("profile", {}).get("email") or ""),
        is_admin=bool(user.get("is_admin") or user.get("is_owner")),
    )


def user_id_for_email(client: WebClient, email: str) -> str | None:
    """The workspace member with this email, or None when there is none."""
    try:
        return str(client.users_lookupByEmail(email=email)["user"]["id"])
    except SlackApiError as error:
        if error.response.get("error") == "users_not_found":
            return None
        raise
