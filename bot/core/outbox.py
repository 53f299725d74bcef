"""Messages the core owes to people, queued in the same transaction as the change, and the
bookkeeping of sending them: claim, done, try again later."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.core.context import CoreContext, account_id
from storage.tables import Account, Invitation, Outbox, OutboxKind, ProcessedEvent
from storage.unit_of_work import UniqueViolation, UnitOfWork

# Longer than any one attempt can take, so no second sender takes a message still in flight:
# the client's 10 s timeout on 3 tries, plus up to two waits of Slack's Retry-After.
CLAIM_LEASE = timedelta(minutes=10)
MAX_BACKOFF = timedelta(minutes=30)
GIVE_UP_AFTER_ATTEMPTS = 20


def enqueue(
    uow: UnitOfWork,
    account: Account,
    kind: OutboxKind,
    *,
    now: datetime,
    invitation: Invitation | None = None,
    recipient_user_id: str | None = None,
    payload: dict[str, Any] | None = None,
) -> None:
    """Owe ``kind`` to someone; it is sent once the surrounding unit of work commits."""
    uow.outbox.add(
        Outbox(
            account_id=account_id(account),
            kind=kind,
            invitation_id=None if invitation is None else invitation.id,
            recipient_user_id=recipient_user_id,
            payload=payload or {},
            created_at=now,
            next_attempt_at=now,
        )
    )


FIRST_DM = "first_dm"
"""Payload key of an invitation's first DM. Both the invitation and the invitee joining the
workspace owe it, so it is sent only while no DM has reached them; a resend always sends."""


def enqueue_first_dm(
    uow: UnitOfWork, account: Account, invitation: Invitation, *, now: datetime
) -> None:
    """Owe the invitee their invitation's DM unless one reaches them first."""
    payload = {FIRST_DM: True}
    enqueue(uow, account, OutboxKind.INVITATION, now=now, invitation=invitation, payload=payload)


DIGEST_SIZE = 20
"""Invitations listed in one channel message (two blocks each, within Slack's 50)."""


def enqueue_digest(
    uow: UnitOfWork,
    account: Account,
    kind: OutboxKind,
    invitations: Sequence[Invitation],
    *,
    now: datetime,
) -> None:
    """Owe the account's channel one message per ``DIGEST_SIZE`` of ``invitations``."""
    for start in range(0, len(invitations), DIGEST_SIZE):
        chunk = invitations[start : start + DIGEST_SIZE]
        payload = {"invitation_ids": [invitation.id for invitation in chunk]}
        enqueue(uow, account, kind, now=now, payload=payload)


class RetryLater(Exception):
    """Raised by a sender: the message could not be carried now. ``uncertain``: the outside
    system may have done it, so the next attempt checks first. ``give_up`` False: a person
    must fix what stops it, so it waits however long that takes."""

    def __init__(self, reason: str, *, uncertain: bool = False, give_up: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.uncertain = uncertain
        self.give_up = give_up


UNCERTAIN = "uncertain"
"""Payload key: an earlier attempt may have taken effect."""


@dataclass(frozen=True)
class Job:
    """One claimed message with what is needed to render it."""

    outbox: Outbox
    account: Account
    invitation: Invitation | None
    invitations: list[Invitation]
    """For a digest (reminder, expiry notice): the invitations it lists, as they are now."""

    @property
    def id(self) -> int:
        assert self.outbox.id is not None
        return self.outbox.id

    @property
    def is_first_dm(self) -> bool:
        return _is_first_dm(self.outbox)

    @property
    def uncertain(self) -> bool:
        return bool(self.outbox.payload.get(UNCERTAIN))


@dataclass(frozen=True)
class Backlog:
    owed: int
    """Messages not sent yet (nor given up), whether due or waiting."""
    oldest: timedelta
    """How long the oldest of them has waited (zero when there are none)."""
    paused_channels: int
    """Accounts whose channel messages are kept until the bot can post there."""


class OutboxService:
    def __init__(self, context: CoreContext) -> None:
        self._context = context

    def claim(self, *, limit: int = 50) -> list[Job]:
        """Take up to ``limit`` due messages; no other claimer gets them until the lease ends."""
        now = self._context.now()
        with self._context.uow() as uow:
            rows = _one_dm_at_a_time(uow, uow.outbox.due(now, limit=limit), now)
            jobs = [self._job(uow, row) for row in rows]
            for row in rows:
                row.claimed_until = now + CLAIM_LEASE
                row.attempts += 1
                uow.outbox.add(row)
            uow.commit()
            return jobs

    def _job(self, uow: UnitOfWork, row: Outbox) -> Job:
        account = uow.accounts.get(row.account_id)
        assert account is not None
        invitation = None if row.invitation_id is None else uow.invitations.get(row.invitation_id)
        listed = list(uow.invitations.by_ids(row.payload.get("invitation_ids", [])))
        return Job(row, account, invitation, listed)

    def done(self, job: Job, outcome: str = "sent") -> None:
        with self._context.uow() as uow:
            finish(uow, job, self._context.now(), outcome)
            uow.commit()

    def retry_later(
        self,
        job: Job,
        reason: str,
        *,
        at_least: timedelta = timedelta(0),
        give_up: bool = True,
        uncertain: bool = False,
    ) -> None:
        """Release the message for a later attempt, backing off; give up after many unless
        ``give_up`` is False (what stops it is for a person to fix)."""
        now = self._context.now()
        with self._context.uow() as uow:
            row = uow.outbox.get(job.id)
            assert row is not None
            row.claimed_until = None
            row.outcome = reason[:200]
            if uncertain:
                row.payload = {**row.payload, UNCERTAIN: True}
            if give_up and row.attempts >= GIVE_UP_AFTER_ATTEMPTS:
                row.done_at = now
                row.outcome = f"gave up: {reason}"[:200]
            backoff = min(timedelta(seconds=5 * 2 ** min(row.attempts, 10)), MAX_BACKOFF)
            row.next_attempt_at = now + max(backoff, at_least)
            uow.outbox.add(row)
            uow.commit()

    def record_invitation_dm(self, job: Job, *, user_id: str, channel_id: str, ts: str) -> None:
        """Remember where an invitation's DM is, so it can be updated when the invitation
        closes, and mark the message sent, in one transaction."""
        with self._context.uow() as uow:
            invitation = uow.invitations.get(job.outbox.invitation_id or 0, for_update=True)
            assert invitation is not None
            invitation.invitee_user_id = user_id
            invitation.dm_channel_id = channel_id
            invitation.dm_ts = ts
            uow.invitations.add(invitation)
            finish(uow, job, self._context.now(), "sent")
            uow.commit()

    def email_instead(self, job: Job) -> None:
        """The invitee is not in the workspace: owe them the invitation by email (once per
        first DM; each resend emails a new link), and mark this message handled."""
        now = self._context.now()
        with self._context.uow() as uow:
            invitation = uow.invitations.get(job.outbox.invitation_id or 0, for_update=True)
            assert invitation is not None
            if not (job.is_first_dm and invitation.emailed_at is not None):
                invitation.emailed_at = invitation.emailed_at or now
                uow.invitations.add(invitation)
                enqueue(
                    uow, job.account, OutboxKind.INVITATION_EMAIL, now=now, invitation=invitation
                )
            finish(uow, job, now, "not in the workspace: emailed")
            uow.commit()

    def record_reminder(self, job: Job, reminded: Sequence[Invitation]) -> None:
        """Count the reminder as sent for each invitation it listed, and mark it sent."""
        now = self._context.now()
        with self._context.uow() as uow:
            for listed in uow.invitations.by_ids([i.id for i in reminded if i.id is not None]):
                listed.reminder_count += 1
                listed.last_reminded_at = now
                uow.invitations.add(listed)
            finish(uow, job, now, "sent")
            uow.commit()

    def backlog(self) -> Backlog:
        now = self._context.now()
        with self._context.uow(read_only=True) as uow:
            owed, oldest_at = uow.outbox.backlog()
            paused = uow.accounts.count_paused_channels()
        oldest = timedelta(0) if oldest_at is None else max(now - oldest_at, timedelta(0))
        return Backlog(owed, oldest, paused)

    def in_flight(self) -> int:
        """How many messages are claimed by a sender right now."""
        now = self._context.now()
        with self._context.uow(read_only=True) as uow:
            return uow.outbox.claimed_count(now)

    def first_time(self, event_id: str) -> bool:
        """Whether Slack's event ``event_id`` is seen for the first time (across replicas)."""
        with self._context.uow() as uow:
            seen = ProcessedEvent(event_id=event_id[:64], received_at=self._context.now())
            uow.processed_events.add(seen)
            try:
                uow.commit()
            except UniqueViolation:
                return False
            return True


def _one_dm_at_a_time(uow: UnitOfWork, due: Sequence[Outbox], now: datetime) -> list[Outbox]:
    """``due`` less the first DMs and the closing updates of invitations whose DM another
    message is sending or another claim is taking: those wait for a later claim, and then
    see that DM (an update claimed while the DM is in flight would find nothing to update)."""
    invitation_ids = sorted({i for row in due if (i := _dm_of(row)) is not None})
    if not invitation_ids:
        return list(due)
    held = uow.invitations.hold_dms(invitation_ids)
    # Read after holding, so a claim or a DM committed meanwhile is seen.
    busy = uow.outbox.invitations_in_flight(invitation_ids, now) | (set(invitation_ids) - held)
    claimed = []
    for row in due:
        invitation_id = _dm_of(row)
        if invitation_id is not None:
            if invitation_id in busy and _waits_for_the_dm(row):
                continue
            busy.add(invitation_id)
        claimed.append(row)
    return claimed


def _is_first_dm(row: Outbox) -> bool:
    return bool(row.payload.get(FIRST_DM))


def _waits_for_the_dm(row: Outbox) -> bool:
    return _is_first_dm(row) or row.kind == OutboxKind.INVITATION_CLOSED


def _dm_of(row: Outbox) -> int | None:
    """The invitation whose DM ``row`` sends or updates, if it does."""
    dm_kinds = (OutboxKind.INVITATION, OutboxKind.INVITATION_CLOSED)
    return row.invitation_id if row.kind in dm_kinds else None


def finish(uow: UnitOfWork, job: Job, now: datetime, outcome: str) -> None:
    row = uow.outbox.get(job.id)
    assert row is not None
    row.done_at = now
    row.outcome = outcome[:200]
    row.claimed_until = None
    uow.outbox.add(row)
