"""Slack's side of the reminders channel: its refusals as channel problems, and joining the
channel the owner chose (a bot posts only where it is a member)."""

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.core import BillingAccess
from bot.core.channels import ChannelProblem

log = logging.getLogger(__name__)

CHANNEL_PROBLEMS = {
    "not_in_channel": ChannelProblem.NOT_A_MEMBER,
    # A private channel the bot was not added to is invisible to it.
    "channel_not_found": ChannelProblem.NOT_A_MEMBER,
    "is_archived": ChannelProblem.ARCHIVED,
}


def error_code(error: SlackApiError) -> str:
    return str(error.response.get("error", "")) or f"http {error.response.status_code}"


def join_channel(client: WebClient, channel_id: str) -> ChannelProblem | None:
    """Join a public channel (``channels:join``); for a private one, whether a person added the
    bot. None when the bot can post there; SlackApiError when Slack did not say."""
    try:
        client.conversations_join(channel=channel_id)
    except SlackApiError as error:
        code = error_code(error)
        if code == "method_not_supported_for_channel_type":
            return _membership(client, channel_id)
        if code in CHANNEL_PROBLEMS:
            return CHANNEL_PROBLEMS[code]
        raise
    return None


def _membership(client: WebClient, channel_id: str) -> ChannelProblem | None:
    try:
        found = client.conversations_info(channel=channel_id)["channel"]
    except SlackApiError as error:
        if error_code(error) in CHANNEL_PROBLEMS:
            return CHANNEL_PROBLEMS[error_code(error)]
        raise
    if found.get("is_archived"):
        return ChannelProblem.ARCHIVED
    return None if found.get("is_member") else ChannelProblem.NOT_A_MEMBER


def settle_channel(
    core: BillingAccess, client: WebClient, team_id: str, channel_id: str, *, tell_owner: bool
) -> None:
    """Join the account's channel if the bot can, and keep or release its reminders to match.
    When Slack does not answer, nothing changes: the next post finds out."""
    try:
        problem = join_channel(client, channel_id)
    except SlackApiError as error:
        log.warning("could not check channel %s: %s", channel_id, error_code(error))
        return
    except (SlackClientError, OSError) as error:
        log.warning("could not check channel %s: %s", channel_id, type(error).__name__)
        return
    if problem is None:
        core.channels.can_post(team_id, channel_id)
    else:
        core.channels.cannot_post(team_id, channel_id, problem, tell_owner=tell_owner)
