"""Stamp reads batched in rounds, so that under load one round trip serves many requests.

The requests that arrive while a round is running wait for the next one, which reads all of
their teams at once. A round starts after every request in it arrived, so each request sees
every change committed before it arrived. A round that fails or overruns its deadline fails
its requests (they go the long way round) and pauses reading for a moment, so that while the
database is away requests are not kept waiting for it.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable

from storage.stamps import AccountStamp, StampUnavailable

DEADLINE_S = 0.5
PAUSE_AFTER_FAILURE_S = 1.0

Read = Callable[[set[str]], Awaitable[dict[str, AccountStamp]]]
"""Reads the stamps of these teams (those with an account); raises ``StampUnavailable``."""
Stamp = asyncio.Future[AccountStamp | None]


class ReadRounds:
    def __init__(self, read: Read, reset: Callable[[], Awaitable[None]]) -> None:
        """``reset`` runs after a failed round, before the next (to drop a connection whose
        state is unknown)."""
        self._read = read
        self._reset = reset
        self._waiting: list[tuple[str, Stamp]] = []
        self._rounds: asyncio.Task[None] | None = None
        self._paused_until = 0.0

    async def stamp(self, team_id: str) -> AccountStamp | None:
        if time.monotonic() < self._paused_until:
            raise StampUnavailable("the database failed a moment ago")
        stamp: Stamp = asyncio.get_running_loop().create_future()
        self._waiting.append((team_id, stamp))
        if self._rounds is None:
            self._rounds = asyncio.create_task(self._run())
        return await stamp

    async def _run(self) -> None:
        try:
            while self._waiting:
                waiting, self._waiting = self._waiting, []
                await self._round(waiting)
        finally:
            self._rounds = None

    async def _round(self, waiting: list[tuple[str, Stamp]]) -> None:
        failure = StampUnavailable("the read was interrupted")
        try:
            async with asyncio.timeout(DEADLINE_S):
                found = await self._read({team_id for team_id, _stamp in waiting})
            for team_id, stamp in waiting:
                if not stamp.done():  # its request may have been given up on meanwhile
                    stamp.set_result(found.get(team_id))
        except (StampUnavailable, TimeoutError) as error:
            self._paused_until = time.monotonic() + PAUSE_AFTER_FAILURE_S
            failure = StampUnavailable(str(error) or "the database did not answer in time")
            await self._reset()
        finally:  # whatever happened, no request is left waiting
            for _team_id, stamp in waiting:
                if not stamp.done():
                    stamp.set_exception(failure)
