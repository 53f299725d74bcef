"""Channels of the stand-in workspace and who is in them, with Slack's rules for a bot token:
a bot posts only where it is a member, joins public channels only, cannot see private channels
it is not in, and nothing is posted to an archived channel."""

from dataclasses import dataclass, field
from typing import Any

from tests.slack_stub.errors import ApiError
from tests.slack_stub.ids import BOT_USER_ID

_CREATED = 1_700_000_000


@dataclass
class StubChannel:
    id: str
    name: str
    is_private: bool = False
    is_archived: bool = False
    members: set[str] = field(default_factory=set)

    @property
    def bot_is_member(self) -> bool:
        return BOT_USER_ID in self.members

    def to_api(self) -> dict[str, Any]:
        """The conversation object as ``conversations.info`` and ``conversations.join`` give it."""
        return {
            "id": self.id,
            "name": self.name,
            "name_normalized": self.name,
            "is_channel": not self.is_private,
            "is_group": self.is_private,
            "is_im": False,
            "is_mpim": False,
            "is_private": self.is_private,
            "is_archived": self.is_archived,
            "is_general": False,
            "is_shared": False,
            "is_ext_shared": False,
            "is_org_shared": False,
            "is_member": self.bot_is_member,
            "created": _CREATED,
            "creator": "",
            "unlinked": 0,
            "topic": {"value": "", "creator": "", "last_set": 0},
            "purpose": {"value": "", "creator": "", "last_set": 0},
            "previous_names": [],
        }


class ChannelDirectory:
    """Public and private channels by id."""

    def __init__(self) -> None:
        self._channels: dict[str, StubChannel] = {}

    def add(self, channel: StubChannel) -> None:
        self._channels[channel.id] = channel

    def knows(self, channel_id: str) -> bool:
        return channel_id in self._channels

    def get(self, channel_id: str) -> StubChannel:
        """The channel, as far as the stub's own set-up is concerned (no visibility rules)."""
        channel = self._channels.get(channel_id)
        if channel is None:
            raise KeyError(f"no channel {channel_id} in the stub; add it with add_channel")
        return channel

    def visible(self, channel_id: str) -> StubChannel:
        """The channel as the bot may see it: private channels only when it is in them."""
        channel = self._channels.get(channel_id)
        if channel is None or (channel.is_private and not channel.bot_is_member):
            raise ApiError("channel_not_found")
        return channel

    def join(self, channel_id: str) -> tuple[StubChannel, bool]:
        """Add the bot to a public channel; returns the channel and whether it was in already."""
        channel = self.visible(channel_id)
        if channel.is_private:
            raise ApiError("method_not_supported_for_channel_type")
        if channel.is_archived:
            raise ApiError("is_archived")
        already = channel.bot_is_member
        channel.members.add(BOT_USER_ID)
        return channel, already

    def check_can_post(self, channel_id: str) -> None:
        """Slack's refusals for a bot posting to a channel (DMs are checked elsewhere)."""
        channel = self.visible(channel_id)
        if channel.is_archived:
            raise ApiError("is_archived")
        if not channel.bot_is_member:
            raise ApiError("not_in_channel")
