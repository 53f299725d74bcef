"""What every core service is built from, and the helpers they share."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.authority import require_owner
from bot.core.clock import Clock
from bot.core.errors import NotFound
from storage.tables import Account, AuditEvent
from storage.unit_of_work import UnitOfWork, UnitOfWorkFactory

SYSTEM_ACTOR = "system"
LINK_ACTOR = "emailed-link"
"""The audit log's actor of an answer given on the emailed link's page (no Slack user)."""


@dataclass(frozen=True)
class Timings:
    """How long until the first reminder, between reminders, and until expiry."""

    reminder_first_after: timedelta
    reminder_repeat_every: timedelta
    invite_expires_after: timedelta

    def for_account(self, account: Account) -> "Timings":
        """These defaults with the account's own settings laid over them."""
        return Timings(
            _override(self.reminder_first_after, account.reminder_first_after_s),
            _override(self.reminder_repeat_every, account.reminder_repeat_every_s),
            _override(self.invite_expires_after, account.invite_expires_after_s),
        )


DEFAULT_TIMINGS = Timings(timedelta(hours=24), timedelta(hours=24), timedelta(days=7))


def _override(default: timedelta, seconds: int | None) -> timedelta:
    return default if seconds is None else timedelta(seconds=seconds)


@dataclass(frozen=True)
class CoreContext:
    """The unit-of-work factory, the clock and the default timings."""

    uow: UnitOfWorkFactory
    clock: Clock
    defaults: Timings = DEFAULT_TIMINGS

    def now(self) -> datetime:
        return self.clock()

    @contextmanager
    def as_owner(
        self, team_id: str, actor: str, doing: str, *, read_only: bool = False
    ) -> Iterator[tuple[UnitOfWork, Account]]:
        """A unit of work on the team's account, for its owner only."""
        with self.uow(read_only=read_only) as uow:
            account = require_account(uow, team_id)
            require_owner(account, actor, doing)
            yield uow, account


NO_ACCOUNT = (
    "This workspace has no billing account yet. "
    "A Slack workspace admin can create one with `/billing-invite setup NAME`."
)


def require_account(uow: UnitOfWork, team_id: str) -> Account:
    account = uow.accounts.for_team(team_id)
    if account is None:
        raise NotFound(NO_ACCOUNT)
    return account


def account_id(account: Account) -> int:
    """The id of a stored account (always set once flushed)."""
    assert account.id is not None
    return account.id


def record(
    uow: UnitOfWork,
    account: Account,
    *,
    at: datetime,
    actor: str,
    action: str,
    target: str = "",
    before: tuple[str, ...] | list[str] | None = None,
    after: tuple[str, ...] | list[str] | None = None,
    detail: str = "",
) -> None:
    """Append one event to the account's audit log, and count the change on the account."""
    # An SQL expression, so concurrent changes cannot lose an increment. (It leaves
    # `version` unloaded on this object: read it afresh, never from a changed account.)
    account.version = Account.version + 1
    uow.accounts.add(account)
    uow.audit.add(
        AuditEvent(
            account_id=account_id(account),
            at=at,
            actor_user_id=actor,
            action=action,
            target=target,
            permissions_before=None if before is None else list(before),
            permissions_after=None if after is None else list(after),
            detail=detail[:500],
        )
    )
