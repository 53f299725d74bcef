"""`/billing-invite list` answered before Bolt, from the reply Bolt's listener last built.

The owner's table is what is asked for most, and it can only change with the account's
version. Given a request Slack signed (the Request URL's edge checked it), it is answered here
only when all of this holds: the command is `/billing-invite list`, the account's owner sent
it, and a reply built for the account's current version in this minute is kept. Anything
else returns None and goes to Bolt, which answers it in full and keeps the reply it built.
"""

from collections.abc import Mapping
from typing import Any

from bot.core import Clock
from bot.core.authority import is_owner
from bot.grammar import Verb, parse_command
from bot.handlers.commands import COMMAND, USERS_REPLY
from bot.handlers.replies import ReplyCache
from storage.stamps import AccountStamps, StampUnavailable


class EarlyAnswers:
    def __init__(self, stamps: AccountStamps, replies: ReplyCache, clock: Clock) -> None:
        self._stamps = stamps
        self._replies = replies
        self._clock = clock

    async def answer(self, form: Mapping[str, Any]) -> str | None:
        """The encoded reply to this signed request's parsed body, if Bolt is not needed."""
        if form.get("command") != COMMAND or parse_command(form.get("text", "")).verb != Verb.LIST:
            return None
        team_id, user_id = form.get("team_id", ""), form.get("user_id", "")
        try:
            stamp = await self._stamps.for_team(team_id)
        except StampUnavailable:
            return None
        if stamp is None or not is_owner(stamp, user_id):
            return None
        return self._replies.kept(USERS_REPLY, team_id, stamp.version, self._clock())

    async def close(self) -> None:
        await self._stamps.close()
