"""`/billing-invite list` answered before Bolt, from the reply Bolt's listener last built.

The owner's table is what is asked for most, and it can only change with the account's
version. A request is answered here only when all of this holds: Slack's signature is valid
(checked as Bolt checks it), the command is `/billing-invite list`, the account's owner sent
it, and a reply built for the account's current version in this minute is kept. Anything
else returns None and goes to Bolt, which answers it in full and keeps the reply it built.
"""

from collections.abc import Mapping
from urllib.parse import parse_qs

from slack_sdk.signature import SignatureVerifier

from bot.core import Clock
from bot.core.authority import is_owner
from bot.grammar import Verb, parse_command
from bot.handlers.commands import COMMAND, USERS_REPLY
from bot.handlers.replies import ReplyCache
from storage.stamps import AccountStamps, StampUnavailable


class EarlyAnswers:
    def __init__(
        self, signing_secret: str, stamps: AccountStamps, replies: ReplyCache, clock: Clock
    ) -> None:
        self._verifier = SignatureVerifier(signing_secret)
        self._stamps = stamps
        self._replies = replies
        self._clock = clock

    async def answer(self, body: bytes, headers: Mapping[str, str]) -> str | None:
        """The encoded reply to this request, if it may be answered without Bolt."""
        if not self._signed(body, headers):
            return None
        form = {key: values[0] for key, values in parse_qs(body.decode(errors="replace")).items()}
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

    def _signed(self, body: bytes, headers: Mapping[str, str]) -> bool:
        try:
            return self._verifier.is_valid(
                body,
                timestamp=headers.get("x-slack-request-timestamp"),
                signature=headers.get("x-slack-signature"),
            )
        except ValueError:  # a timestamp that is not a number: Bolt refuses it
            return False
