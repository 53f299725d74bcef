"""The unit of work: one database transaction, committed only when asked."""

from collections.abc import Callable
from types import TracebackType
from typing import Self

from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session

from storage.engine import READ_ONLY
from storage.repositories import (
    Accounts,
    AuditLog,
    ConnectCodes,
    Contacts,
    Invitations,
    Members,
    OutboxRepository,
    ProcessedEvents,
)
from storage.slack_repositories import OAuthStates, SlackInstallations


class UniqueViolation(Exception):
    """A write broke a uniqueness rule because another transaction got there first."""


class GaveWay(Exception):
    """A unit of work that gives way to others waited too long for a row one of them holds."""


LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's lock_timeout


class UnitOfWork:
    """Opens a session on enter; discards whatever was not committed on exit."""

    accounts: Accounts
    members: Members
    invitations: Invitations
    contacts: Contacts
    audit: AuditLog
    outbox: OutboxRepository
    processed_events: ProcessedEvents
    connect_codes: ConnectCodes
    slack_installations: SlackInstallations
    oauth_states: OAuthStates

    def __init__(self, engine: Engine, *, read_only: bool = False) -> None:
        self._engine = engine.execution_options(**{READ_ONLY: True}) if read_only else engine
        self._session: Session | None = None

    def __enter__(self) -> Self:
        session = Session(self._engine, expire_on_commit=False)
        self._session = session
        self.accounts = Accounts(session)
        self.members = Members(session)
        self.invitations = Invitations(session)
        self.contacts = Contacts(session)
        self.audit = AuditLog(session)
        self.outbox = OutboxRepository(session)
        self.processed_events = ProcessedEvents(session)
        self.connect_codes = ConnectCodes(session)
        self.slack_installations = SlackInstallations(session)
        self.oauth_states = OAuthStates(session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        # close() rolls back what was not committed without expiring the loaded rows,
        # so what the unit of work returns stays readable after it ends.
        self._require_session().close()
        self._session = None
        if isinstance(exc, OperationalError) and _sqlstate(exc) == LOCK_NOT_AVAILABLE:
            raise GaveWay(str(exc.orig)) from exc

    def give_way(self, *, after_ms: int) -> None:
        """From now on, wait at most ``after_ms`` for a row another transaction holds, then
        end as ``GaveWay``. Background work that locks rows in another order than a person's
        change does so rather than deadlock with it (PostgreSQL would then abort one of the
        two, possibly the person's). SQLite's writers take turns: there, nothing changes."""
        session = self._require_session()
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text(f"SET LOCAL lock_timeout = {int(after_ms)}"))

    def flush(self) -> None:
        """Send pending writes now, turning a uniqueness violation into ``UniqueViolation``."""
        self._guard(self._require_session().flush)

    def commit(self) -> None:
        self._guard(self._require_session().commit)

    def _guard(self, write: Callable[[], None]) -> None:
        try:
            write()
        except IntegrityError as error:
            self._require_session().rollback()
            raise UniqueViolation(str(error.orig)) from error

    def _require_session(self) -> Session:
        if self._session is None:
            raise RuntimeError("the unit of work is used outside its `with` block")
        return self._session


def _sqlstate(error: OperationalError) -> str | None:
    return getattr(error.orig, "sqlstate", None)


UnitOfWorkFactory = Callable[..., UnitOfWork]


def unit_of_work_factory(engine: Engine) -> UnitOfWorkFactory:
    """What the core is given: call it (optionally ``read_only=True``) for a fresh unit of work."""

    def make(*, read_only: bool = False) -> UnitOfWork:
        return UnitOfWork(engine, read_only=read_only)

    return make
