"""Fixtures shared by the suite: databases (SQLite always, PostgreSQL when configured),
a clock the tests move by hand, and the core built on them."""

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import settings
from sqlalchemy import Engine, text
from sqlmodel import SQLModel

from bot.core import BillingAccess
from storage.engine import make_engine
from storage.migrate import upgrade
from storage.unit_of_work import unit_of_work_factory

# Properties are about what comes out, not how fast: on a machine busy with other work an
# example may take longer than Hypothesis' default deadline of 200 ms.
settings.register_profile("suite", deadline=None)
settings.load_profile("suite")

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL")
NO_POSTGRES = "no PostgreSQL configured: set TEST_POSTGRES_URL (CI sets it)"

OWNER = "U0OWNER"
OWNER_EMAIL = "owner@acme.example.com"
TEAM = "T0001"
BILLING_CHANNEL = "C0BILLING"


class FakeClock:
    """A clock that stands still until a test moves it."""

    def __init__(self, start: datetime = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)) -> None:
        self.current = start

    def __call__(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> None:
        self.current += delta


@pytest.fixture(scope="session")
def postgres_engine() -> Iterator[Engine]:
    if not POSTGRES_URL:
        pytest.skip(NO_POSTGRES)
    engine = make_engine(POSTGRES_URL)
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    upgrade(engine)
    yield engine
    engine.dispose()


def _empty_postgres(engine: Engine) -> Engine:
    tables = ", ".join(table.name for table in SQLModel.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    return engine


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated, empty database of each backend."""
    if request.param == "postgresql":
        yield _empty_postgres(request.getfixturevalue("postgres_engine"))
        return
    sqlite_engine = make_engine(f"sqlite:///{tmp_path / 'bot.db'}")
    upgrade(sqlite_engine)
    yield sqlite_engine
    sqlite_engine.dispose()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def access(engine: Engine, clock: FakeClock) -> BillingAccess:
    return BillingAccess.create(unit_of_work_factory(engine), clock=clock)


@pytest.fixture
def billing(access: BillingAccess) -> BillingAccess:
    """The core with the workspace's account already set up by OWNER."""
    access.accounts.setup(
        TEAM,
        "Acme Ltd",
        actor=OWNER,
        actor_email=OWNER_EMAIL,
        actor_is_workspace_admin=True,
        channel_id=BILLING_CHANNEL,
    )
    return access
