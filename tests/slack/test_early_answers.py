"""What may be answered before Bolt: only the owner's `list`, while its reply is kept for the
account's current version and minute. Everything else is left to Bolt (None). The edge has
checked the signature of what reaches it (``tests/e2e/test_edge.py``)."""

import asyncio
from datetime import timedelta
from urllib.parse import parse_qsl

import pytest
from slack_bolt import Ack

from bot.blocks.messages import Message
from bot.handlers.early import EarlyAnswers
from bot.handlers.replies import ReplyCache
from storage.stamps import AccountStamp, StampUnavailable
from storage.tables import Account
from tests.conftest import OWNER, TEAM, FakeClock
from tests.e2e.slack_requests import command_body

VERSION = 7
TABLE = Message("Users of Acme Ltd", [{"type": "section", "text": {"type": "mrkdwn", "text": "…"}}])


class Stamps:
    """The database's answer, as a test sets it."""

    def __init__(self) -> None:
        self.stamp: AccountStamp | None = AccountStamp(OWNER, VERSION)
        self.unavailable = False

    async def for_team(self, team_id: str) -> AccountStamp | None:
        if self.unavailable:
            raise StampUnavailable("the database is down")
        return self.stamp if team_id == TEAM else None

    async def close(self) -> None:
        pass


@pytest.fixture
def stamps() -> Stamps:
    return Stamps()


@pytest.fixture
def replies() -> ReplyCache:
    return ReplyCache()


@pytest.fixture
def early(stamps: Stamps, replies: ReplyCache, clock: FakeClock) -> EarlyAnswers:
    return EarlyAnswers(stamps, replies, clock)


def keep_table(replies: ReplyCache, clock: FakeClock, version: int = VERSION) -> str:
    """What Bolt's listener does for the owner's `list`: build the reply and keep it."""
    account = Account(
        team_id=TEAM,
        name="Acme Ltd",
        owner_user_id=OWNER,
        reminders_channel_id="C0",
        version=version,
    )
    ack = Ack()  # type: ignore[no-untyped-call]
    replies.acknowledge(ack, "users", account, clock(), lambda: TABLE)
    assert ack.response is not None and isinstance(ack.response.body, str)
    return ack.response.body


def command(text: str = "list", *, user: str = OWNER, team: str = TEAM) -> str:
    return command_body(user, text, "https://hooks.example/cmd", channel="C0BILLING", team=team)


def answer(early: EarlyAnswers, body: str) -> str | None:
    return asyncio.run(early.answer(dict(parse_qsl(body))))


def test_the_owners_list_is_answered_with_the_kept_reply(
    early: EarlyAnswers, replies: ReplyCache, clock: FakeClock
) -> None:
    kept = keep_table(replies, clock)
    assert answer(early, command("list")) == kept
    assert answer(early, command("  LIST ")) == kept


def test_nothing_is_answered_before_bolt_has_built_the_reply(early: EarlyAnswers) -> None:
    assert answer(early, command("list")) is None


@pytest.mark.parametrize(
    "body",
    [
        command("list", user="U0EVE"),
        command("list", team="T0OTHER"),
        command("pending"),
        command("list everything"),
        command(""),
        command("help"),
        command("list").replace("%2Fbilling-invite", "%2Fsomething-else"),
    ],
    ids=[
        "not the owner",
        "another team",
        "pending",
        "list with more",
        "invite",
        "help",
        "another command",
    ],
)
def test_anything_but_the_owners_list_goes_to_bolt(
    early: EarlyAnswers, replies: ReplyCache, clock: FakeClock, body: str
) -> None:
    keep_table(replies, clock)
    assert answer(early, body) is None


def test_a_change_to_the_account_makes_the_kept_reply_unusable(
    early: EarlyAnswers, stamps: Stamps, replies: ReplyCache, clock: FakeClock
) -> None:
    keep_table(replies, clock)
    stamps.stamp = AccountStamp(OWNER, VERSION + 1)
    assert answer(early, command("list")) is None


def test_a_new_owner_is_not_answered_with_the_reply_kept_for_the_old_one(
    early: EarlyAnswers, stamps: Stamps, replies: ReplyCache, clock: FakeClock
) -> None:
    keep_table(replies, clock)
    stamps.stamp = AccountStamp("U0NEWOWNER", VERSION)
    assert answer(early, command("list")) is None
    assert answer(early, command("list", user="U0NEWOWNER")) is not None


def test_the_kept_reply_serves_only_the_minute_it_was_built_in(
    early: EarlyAnswers, replies: ReplyCache, clock: FakeClock
) -> None:
    clock.current = clock.current.replace(second=0)
    keep_table(replies, clock)
    clock.advance(timedelta(seconds=59))
    assert answer(early, command("list")) is not None
    clock.advance(timedelta(seconds=1))
    assert answer(early, command("list")) is None


def test_when_the_database_cannot_answer_at_once_bolt_answers(
    early: EarlyAnswers, stamps: Stamps, replies: ReplyCache, clock: FakeClock
) -> None:
    keep_table(replies, clock)
    stamps.unavailable = True
    assert answer(early, command("list")) is None
