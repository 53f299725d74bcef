"""The account's reminders channel: whether the bot can post there, and what waits until it can.

A chat service lets a bot post only where it is a member. While the bot cannot post to the
account's channel, the messages owed there are kept (paused), not dropped, and the owner is
told once. When the bot can post again, the kept reminders go out as one digest.
"""

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum

from bot.core.context import SYSTEM_ACTOR, CoreContext, account_id, record
from bot.core.outbox import enqueue, enqueue_digest
from storage.tables import Account, Outbox, OutboxKind
from storage.unit_of_work import UnitOfWork


class ChannelProblem(StrEnum):
    NOT_A_MEMBER = "not_a_member"
    """The bot is not in the channel, or cannot see it (a private channel it was not added to)."""
    ARCHIVED = "archived"


def channel_problem(account: Account) -> ChannelProblem | None:
    """Why the bot cannot post to the account's channel now, or None while it can."""
    return None if account.channel_problem is None else ChannelProblem(account.channel_problem)


class ChannelService:
    def __init__(self, context: CoreContext) -> None:
        self._context = context

    def cannot_post(
        self, team_id: str, channel_id: str, problem: ChannelProblem, *, tell_owner: bool = True
    ) -> Account | None:
        """Keep the account's channel messages until the bot can post to ``channel_id``, and
        tell the owner when this starts. Returns the account; None when ``channel_id`` is not
        its channel (any more): then nothing is kept."""
        now = self._context.now()
        with self._context.uow() as uow:
            account = uow.accounts.for_team(team_id, for_update=True)
            if account is None or account.reminders_channel_id != channel_id:
                return None
            uow.outbox.pause_channel_messages(account_id(account))
            if channel_problem(account) != problem:
                _note_problem(uow, account, problem, now, tell_owner=tell_owner)
            uow.commit()
            return account

    def can_post(self, team_id: str, channel_id: str) -> Account | None:
        """The bot can post to ``channel_id`` again. If it is the account's channel, what was
        kept for it is owed now, as one digest. Returns the account if anything resumed."""
        now = self._context.now()
        with self._context.uow() as uow:
            account = uow.accounts.for_team(team_id, for_update=True)
            if account is None or account.reminders_channel_id != channel_id:
                return None
            kept = uow.outbox.paused(account_id(account))
            if account.channel_problem is None and not kept:
                return None
            account.channel_problem = None
            _owe_as_one_digest(uow, account, kept, now)
            record(
                uow,
                account,
                at=now,
                actor=SYSTEM_ACTOR,
                action="reminders.resumed",
                target=channel_id,
                detail=f"{len(kept)} kept messages",
            )
            uow.commit()
            return account


def _note_problem(
    uow: UnitOfWork, account: Account, problem: ChannelProblem, now: datetime, *, tell_owner: bool
) -> None:
    newly_paused = account.channel_problem is None
    account.channel_problem = problem.value
    channel = account.reminders_channel_id
    record(
        uow,
        account,
        at=now,
        actor=SYSTEM_ACTOR,
        action="reminders.paused",
        target=channel,
        detail=problem.value,
    )
    if newly_paused and tell_owner:
        enqueue(
            uow,
            account,
            OutboxKind.CHANNEL_PAUSED,
            now=now,
            recipient_user_id=account.owner_user_id,
            payload={"channel_id": channel, "problem": problem.value},
        )


DIGEST_KINDS = (OutboxKind.REMINDER, OutboxKind.EXPIRY_NOTICE)


def _owe_as_one_digest(
    uow: UnitOfWork, account: Account, kept: Sequence[Outbox], now: datetime
) -> None:
    """Replace the kept digests of each kind by one listing every invitation they listed;
    release anything else that was kept."""
    for row in kept:
        if row.kind in DIGEST_KINDS:
            row.done_at, row.outcome = now, "merged into one digest"
        else:
            row.paused, row.next_attempt_at = False, now
        uow.outbox.add(row)
    for kind in DIGEST_KINDS:
        listed = sorted({i for row in kept if row.kind == kind for i in _listed(row)})
        if listed:
            invitations = uow.invitations.by_ids(listed)
            enqueue_digest(uow, account, kind, invitations, now=now)


def _listed(row: Outbox) -> list[int]:
    return [int(i) for i in row.payload.get("invitation_ids", [])]
