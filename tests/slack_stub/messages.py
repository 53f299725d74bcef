"""Conversations the bot opened and the messages it posted, in their current state."""

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from tests.slack_stub.errors import ApiError
from tests.slack_stub.ids import APP_ID, BOT_ID, BOT_USER_ID, TEAM_ID, IdFactory

_CONTENT_FIELDS = ("text", "markdown_text", "blocks", "attachments", "metadata")


def _content(args: Mapping[str, Any]) -> dict[str, Any]:
    return {field: copy.deepcopy(args[field]) for field in _CONTENT_FIELDS if field in args}


class MessageStore:
    """Direct-message conversations, posted messages and ephemeral messages."""

    def __init__(self, ids: IdFactory) -> None:
        self._ids = ids
        self._conversations: dict[tuple[str, ...], str] = {}
        self._messages: dict[tuple[str, str], dict[str, Any]] = {}
        self._ephemeral: list[dict[str, Any]] = []

    def open_conversation(self, user_ids: Sequence[str]) -> str:
        """The id of the DM ("D…") or group DM ("G…") with these users, stable across calls."""
        key = tuple(sorted(set(user_ids)))
        if key not in self._conversations:
            self._conversations[key] = self._ids.new_id("D" if len(key) == 1 else "G")
        return self._conversations[key]

    def is_conversation(self, channel: str) -> bool:
        """Whether ``channel`` is a DM or group DM the bot opened."""
        return channel in self._conversations.values()

    def post(self, channel: str, args: Mapping[str, Any]) -> dict[str, Any]:
        """Store a new bot message in ``channel`` and return it as Slack echoes it back."""
        ts = self._ids.new_ts()
        message: dict[str, Any] = {
            "type": "message",
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "app_id": APP_ID,
            "team": TEAM_ID,
            "ts": ts,
            **_content(args),
        }
        if "thread_ts" in args:
            message["thread_ts"] = args["thread_ts"]
        self._messages[(channel, ts)] = message
        return copy.deepcopy(message)

    def update(self, channel: str, ts: str, args: Mapping[str, Any]) -> dict[str, Any]:
        """Replace the content fields given in ``args``; fields left out are kept, as in Slack."""
        message = self._find(channel, ts)
        message.update(_content(args))
        message["edited"] = {"user": BOT_USER_ID, "ts": self._ids.new_ts()}
        return copy.deepcopy(message)

    def delete(self, channel: str, ts: str) -> None:
        """Remove the message; ``message_not_found`` if there is none."""
        self._find(channel, ts)
        del self._messages[(channel, ts)]

    def post_ephemeral(self, channel: str, user: str, args: Mapping[str, Any]) -> str:
        """Store an ephemeral message shown to ``user`` only and return its ``message_ts``."""
        ts = self._ids.new_ts()
        self._ephemeral.append({"channel": channel, "user": user, "ts": ts, **_content(args)})
        return ts

    def listing(self, channel: str | None) -> list[dict[str, Any]]:
        """Copies of the live messages, oldest first, each with its ``channel`` added."""
        return [
            {"channel": message_channel, **copy.deepcopy(message)}
            for (message_channel, _), message in self._messages.items()
            if channel is None or message_channel == channel
        ]

    def ephemeral_listing(self, channel: str | None) -> list[dict[str, Any]]:
        """Copies of the ephemeral messages, oldest first; ``user`` is the one who saw it."""
        return [
            copy.deepcopy(message)
            for message in self._ephemeral
            if channel is None or message["channel"] == channel
        ]

    def _find(self, channel: str, ts: str) -> dict[str, Any]:
        message = self._messages.get((channel, ts))
        if message is None:
            raise ApiError("message_not_found")
        return message
