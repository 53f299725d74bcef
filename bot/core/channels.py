"""The account's reminders channel: whether the bot can post there, and what waits until it can.

A chat service lets a bot post only where it is a member. While the bot cannot post to the
account's channel (the account has a ``channel_problem``), the messages owed there are kept:
they are not due, whatever their time (see ``OutboxRepository.due``), and the owner is told
once. When the bot can post again, or the owner picks another channel, what was kept goes out
as one digest. Nothing is flagged on the messages themselves, so no message can be kept by a
stale view of the account, or stay kept once the account has no problem.
"""

from datetime import datetime
from enum import StrEnum

from bot.core.context import SYSTEM_ACTOR, CoreContext, account_id, record
from bot.core.outbox import enqueue, enqueue_digest
from storage.tables import CHANNEL_KINDS, Account, Outbox, OutboxKind
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
            if channel_problem(account) != problem:
                _note_problem(uow, account, problem, now, tell_owner=tell_owner)
            uow.commit()
            return account

    def can_post(self, team_id: str, channel_id: str) -> Account | None:
        """The bot can post to ``channel_id`` again. If it is the account's channel and
        messages were kept for it, they are owed now, as one digest. Returns the account if
        anything resumed."""
        now = self._context.now()
        with self._context.uow() as uow:
            account = uow.accounts.for_team(team_id, for_update=True)
            if account is None or account.reminders_channel_id != channel_id:
                return None
            if account.channel_problem is None:
                return None
            release_kept(uow, account, now)
            uow.commit()
            return account


def release_kept(uow: UnitOfWork, account: Account, now: datetime) -> None:
    """The account's channel has no known problem (any more): what was kept for it is owed as
    one digest of each kind. Messages being sent right now are left to their sender."""
    kept = uow.outbox.undone_channel_messages(account_id(account), now)
    account.channel_problem = None
    for row in kept:
        row.done_at, row.outcome = now, "merged into one digest"
        uow.outbox.add(row)
    for kind in CHANNEL_KINDS:
        listed = sorted({i for row in kept if row.kind == kind for i in _listed(row)})
        if listed:
            enqueue_digest(uow, account, kind, uow.invitations.by_ids(listed), now=now)
    record(
        uow,
        account,
        at=now,
        actor=SYSTEM_ACTOR,
        action="reminders.resumed",
        target=account.reminders_channel_id,
        detail=f"{len(kept)} kept messages",
    )


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
        )


def _listed(row: Outbox) -> list[int]:
    return [int(i) for i in row.payload.get("invitation_ids", [])]
