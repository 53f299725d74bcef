"""The sweep: expire overdue invitations (announced once) and owe the reminders that are due.

Reminder state lives on the invitation (next reminder time, count, last sent). Claiming a
reminder is advancing its next time and queueing its message in one transaction, under a lock
other sweepers skip, so every reminder is owed exactly once whichever replica finds it; the
outbox then delivers it, later if Slack refuses, and counts it as sent when it was.
"""

from dataclasses import dataclass
from datetime import datetime

from bot.core.context import CoreContext
from bot.core.invitations import expire
from bot.core.outbox import enqueue, enqueue_digest
from storage.tables import Invitation, OutboxKind

ACCOUNTS_PER_SWEEP = 200
PER_ACCOUNT_PER_SWEEP = 500
EXPIRIES_PER_SWEEP = 500


@dataclass(frozen=True)
class SweepReport:
    expired: int
    reminded: int


class ReminderService:
    def __init__(self, context: CoreContext) -> None:
        self._context = context

    def sweep(self) -> SweepReport:
        """Expire what is overdue, then owe every reminder that is due now."""
        now = self._context.now()
        expired = self._expire_overdue(now)
        with self._context.uow(read_only=True) as uow:
            due = uow.invitations.accounts_with_due_reminders(now, limit=ACCOUNTS_PER_SWEEP)
        reminded = sum(self._remind(account, now) for account in due)
        return SweepReport(expired, reminded)

    def _expire_overdue(self, now: datetime) -> int:
        with self._context.uow() as uow:
            by_account: dict[int, list[Invitation]] = {}
            for invitation in uow.invitations.overdue(now, limit=EXPIRIES_PER_SWEEP):
                by_account.setdefault(invitation.account_id, []).append(invitation)
            for owner_id, invitations in by_account.items():
                account = uow.accounts.get(owner_id)
                assert account is not None
                for invitation in invitations:
                    expire(uow, account, invitation, now, announce=False)
                uow.flush()
                enqueue_digest(uow, account, OutboxKind.EXPIRY_NOTICE, invitations, now=now)
            uow.commit()
            return sum(map(len, by_account.values()))

    def _remind(self, owner_id: int, now: datetime) -> int:
        with self._context.uow() as uow:
            account = uow.accounts.lock_if_free(owner_id)
            if account is None:
                return 0  # another sweeper is reminding this account right now
            due = uow.invitations.due_reminders(owner_id, now, limit=PER_ACCOUNT_PER_SWEEP)
            repeat = self._context.defaults.for_account(account).reminder_repeat_every
            for invitation in due:
                invitation.next_reminder_at = now + repeat
                uow.invitations.add(invitation)
                enqueue(uow, account, OutboxKind.INVITEE_NUDGE, now=now, invitation=invitation)
            enqueue_digest(uow, account, OutboxKind.REMINDER, due, now=now)
            uow.commit()
            return len(due)
