"""Account stamps: the owner and version read on the event loop, on each backend, and a
database that cannot answer at once reported rather than waited on."""

import asyncio
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.core import BillingAccess
from storage.engine import make_engine
from storage.postgres_stamps import PostgresStamps
from storage.stamps import AccountStamp, AccountStamps, StampUnavailable, account_stamps
from tests.conftest import OWNER, TEAM


def read(stamps: AccountStamps | None, team_id: str = TEAM) -> AccountStamp | None:
    """One read in an event loop of its own, the stamps closed afterwards."""
    assert stamps is not None

    async def once() -> AccountStamp | None:
        try:
            return await stamps.for_team(team_id)
        finally:
            await stamps.close()

    return asyncio.run(once())


def test_a_stamp_names_the_owner_and_moves_with_every_change(
    engine: Engine, billing: BillingAccess
) -> None:
    before = read(account_stamps(engine))
    assert before is not None and before.owner_user_id == OWNER
    billing.invitations.invite(
        TEAM, actor=OWNER, emails=["ana@example.com"], permissions=["invoices"]
    )
    after = read(account_stamps(engine))
    assert after is not None and after.version > before.version


def test_a_team_without_an_account_has_no_stamp(engine: Engine, billing: BillingAccess) -> None:
    assert read(account_stamps(engine), "T0NOBODY") is None


def test_an_in_memory_database_has_no_stamps() -> None:
    assert account_stamps(make_engine("sqlite://")) is None


def test_a_missing_sqlite_file_is_reported_and_not_created(tmp_path: Path) -> None:
    path = tmp_path / "gone.db"
    with pytest.raises(StampUnavailable):
        read(account_stamps(make_engine(f"sqlite:///{path}")))
    assert not path.exists()


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A port that accepts connections and never says a word."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        accepted: list[socket.socket] = []
        stop = threading.Event()

        def accept() -> None:
            server.settimeout(0.1)
            while not stop.is_set():
                try:
                    accepted.append(server.accept()[0])
                except TimeoutError:
                    continue

        thread = threading.Thread(target=accept, daemon=True)
        thread.start()
        yield int(server.getsockname()[1])
        stop.set()
        thread.join()
        for connection in accepted:
            connection.close()


def test_a_postgresql_that_does_not_answer_is_reported_not_waited_on(silent_server: int) -> None:
    stamps = account_stamps(
        make_engine(f"postgresql+psycopg://postgres@127.0.0.1:{silent_server}/x")
    )
    assert isinstance(stamps, PostgresStamps)

    async def twice() -> list[str]:
        failures = []
        for _ in range(2):
            with pytest.raises(StampUnavailable) as failure:
                await stamps.for_team(TEAM)
            failures.append(str(failure.value))
        await stamps.close()
        return failures

    first, second = asyncio.run(twice())
    assert "a moment ago" not in first
    assert second == "the database failed a moment ago"  # not waited on a second time
