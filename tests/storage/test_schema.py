"""The migrations build exactly the tables the code declares, on each backend."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect
from sqlalchemy.exc import DBAPIError, StatementError
from sqlmodel import SQLModel

from storage.engine import is_database_reachable, make_engine
from storage.tables import Account, AuditEvent, Outbox, OutboxKind
from storage.unit_of_work import UniqueViolation, UnitOfWork


def test_migrated_schema_matches_the_tables(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []


def test_pending_invitations_are_unique_per_account_and_email(engine: Engine) -> None:
    indexes = {index["name"]: index for index in inspect(engine).get_indexes("invitation")}
    assert indexes["uq_invitation_pending_email"]["unique"]


def _account(team_id: str, created_at: datetime) -> Account:
    return Account(
        team_id=team_id,
        name="Acme",
        owner_user_id="U1",
        reminders_channel_id="C1",
        created_at=created_at,
    )


def test_timestamps_come_back_as_aware_utc(engine: Engine) -> None:
    paris = timezone(timedelta(hours=1))
    with UnitOfWork(engine) as uow:
        uow.accounts.add(_account("T1", datetime(2026, 3, 2, 10, 0, tzinfo=paris)))
        uow.commit()
    with UnitOfWork(engine, read_only=True) as uow:
        stored = uow.accounts.for_team("T1")
    assert stored is not None
    assert stored.created_at == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    assert stored.created_at.tzinfo == UTC


def test_naive_timestamps_are_refused(engine: Engine) -> None:
    with UnitOfWork(engine) as uow:
        uow.accounts.add(_account("T1", datetime(2026, 3, 2, 10, 0)))
        with pytest.raises(StatementError, match="naive"):
            uow.commit()


def test_a_second_account_for_one_workspace_is_a_unique_violation(engine: Engine) -> None:
    now = datetime.now(UTC)
    with UnitOfWork(engine) as uow:
        uow.accounts.add(_account("T1", now))
        uow.commit()
    with UnitOfWork(engine) as uow:
        uow.accounts.add(_account("T1", now))
        with pytest.raises(UniqueViolation):
            uow.commit()


def test_uncommitted_work_is_discarded(engine: Engine) -> None:
    with UnitOfWork(engine) as uow:
        uow.accounts.add(_account("T1", datetime.now(UTC)))
        uow.flush()
    with UnitOfWork(engine, read_only=True) as uow:
        assert uow.accounts.for_team("T1") is None


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: object) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/wal.db")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_an_unreachable_database_is_reported() -> None:
    engine = make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1")
    assert not is_database_reachable(engine)


def test_a_reachable_database_is_reported(engine: Engine) -> None:
    assert is_database_reachable(engine)


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_event SET action = 'tampered'", "DELETE FROM audit_event"],
)
def test_the_database_refuses_to_change_or_delete_audit_events(
    engine: Engine, statement: str
) -> None:
    now = datetime.now(UTC)
    with UnitOfWork(engine) as uow:
        account = uow.accounts.add(_account("T1", now))
        uow.flush()
        assert account.id is not None
        uow.audit.add(AuditEvent(account_id=account.id, at=now, actor_user_id="U1",
                                 action="account.created"))  # fmt: skip
        uow.commit()
    with engine.connect() as connection, pytest.raises(DBAPIError, match="append-only"):
        connection.exec_driver_sql(statement)
    with UnitOfWork(engine, read_only=True) as uow:
        assert [event.action for event in uow.audit.all(1)] == ["account.created"]


def test_every_outbox_kind_is_allowed_by_the_database(engine: Engine) -> None:
    now = datetime.now(UTC)
    with UnitOfWork(engine) as uow:
        account = uow.accounts.add(_account("T1", now))
        uow.flush()
        assert account.id is not None
        for kind in OutboxKind:
            uow.outbox.add(Outbox(account_id=account.id, kind=kind, created_at=now,
                                  next_attempt_at=now))  # fmt: skip
        uow.commit()
