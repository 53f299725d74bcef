"""Stamp reads in rounds: a request never gets an answer read before it arrived, one read
serves everyone who waited for it, and a failing or silent database fails requests at once."""

import asyncio
from collections.abc import Coroutine
from typing import Any

import pytest

from storage import read_rounds
from storage.read_rounds import ReadRounds
from storage.stamps import AccountStamp, StampUnavailable


class Database:
    """Stamps by team; each read sees them as they were when it started, and waits until
    the test lets it finish."""

    def __init__(self) -> None:
        self.stamps = {"T1": AccountStamp("U1", 1), "T2": AccountStamp("U2", 1)}
        self.reads: list[set[str]] = []
        self.resets = 0
        self.failing = False
        self.finish = asyncio.Event()

    async def read(self, team_ids: set[str]) -> dict[str, AccountStamp]:
        self.reads.append(team_ids)
        if self.failing:
            raise StampUnavailable("connection refused")
        seen = {team: self.stamps[team] for team in team_ids if team in self.stamps}
        await self.finish.wait()
        return seen

    async def reset(self) -> None:
        self.resets += 1


def run(test: Coroutine[Any, Any, None]) -> None:
    asyncio.run(test)


async def until(condition: Any) -> None:
    while not condition():
        await asyncio.sleep(0)


def test_requests_arriving_during_a_round_get_the_next_one_read_once_for_all() -> None:
    async def scenario() -> None:
        database = Database()
        rounds = ReadRounds(database.read, database.reset)
        first = asyncio.create_task(rounds.stamp("T1"))
        await until(lambda: database.reads)
        database.stamps["T1"] = AccountStamp("U1", 2)  # committed while the first read runs
        later = [asyncio.create_task(rounds.stamp(team)) for team in ("T1", "T1", "T2", "T9")]
        database.finish.set()
        assert await first == AccountStamp("U1", 1)
        assert await asyncio.gather(*later) == [
            AccountStamp("U1", 2),
            AccountStamp("U1", 2),
            AccountStamp("U2", 1),
            None,
        ]
        assert database.reads == [{"T1"}, {"T1", "T2", "T9"}]

    run(scenario())


def test_a_failed_read_fails_its_requests_and_the_next_ones_at_once() -> None:
    async def scenario() -> None:
        database = Database()
        database.failing = True
        rounds = ReadRounds(database.read, database.reset)
        results = await asyncio.gather(
            rounds.stamp("T1"), rounds.stamp("T2"), return_exceptions=True
        )
        assert all(isinstance(result, StampUnavailable) for result in results)
        with pytest.raises(StampUnavailable, match="a moment ago"):
            await rounds.stamp("T1")
        assert database.reads == [{"T1", "T2"}]
        assert database.resets == 1

    run(scenario())


def test_a_database_that_does_not_answer_in_time_fails_the_round(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(read_rounds, "DEADLINE_S", 0.05)

    async def scenario() -> None:
        database = Database()  # never told to finish
        rounds = ReadRounds(database.read, database.reset)
        with pytest.raises(StampUnavailable, match="in time"):
            await rounds.stamp("T1")
        assert database.resets == 1

    run(scenario())


def test_a_request_given_up_on_leaves_the_others_answered() -> None:
    async def scenario() -> None:
        database = Database()
        rounds = ReadRounds(database.read, database.reset)
        abandoned = asyncio.create_task(rounds.stamp("T1"))
        kept = asyncio.create_task(rounds.stamp("T1"))
        await until(lambda: database.reads)
        abandoned.cancel()
        database.finish.set()
        assert await kept == AccountStamp("U1", 1)
        assert abandoned.cancelled()
        assert await rounds.stamp("T2") == AccountStamp("U2", 1)

    run(scenario())
