"""Account stamps read from PostgreSQL through asynchronous psycopg connections, each read
bounded by a deadline so that a slow database never holds the event loop's requests up."""

import asyncio
import time

import psycopg
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from storage.stamps import AccountStamp, StampUnavailable, stamp_of

POSTGRES_CONNECTIONS = 4
POSTGRES_DEADLINE_S = 0.5
CONNECT_TIMEOUT_S = 2  # libpq's smallest
PAUSE_AFTER_FAILURE_S = 1.0
"""After a read fails, later ones are sent the long way at once for this long, rather than
each waiting out the deadline while the database is away."""


class PostgresStamps:
    def __init__(self, conninfo: str, sql: str) -> None:
        self._conninfo = conninfo
        self._sql = sql
        self._pool: AsyncConnectionPool | None = None
        self._paused_until = 0.0

    async def for_team(self, team_id: str) -> AccountStamp | None:
        if time.monotonic() < self._paused_until:
            raise StampUnavailable("PostgreSQL failed a moment ago")
        try:
            async with asyncio.timeout(POSTGRES_DEADLINE_S):
                async with (await self._opened()).connection() as connection:
                    cursor = await connection.execute(self._sql, {"team_id": team_id})
                    return stamp_of(await cursor.fetchone())
        except (psycopg.Error, PoolTimeout, TimeoutError) as error:
            self._paused_until = time.monotonic() + PAUSE_AFTER_FAILURE_S
            raise StampUnavailable(str(error) or type(error).__name__) from error

    async def _opened(self) -> AsyncConnectionPool:
        # Opened on first use, inside the event loop that will use it (open() is idempotent).
        if self._pool is None:
            self._pool = AsyncConnectionPool(
                self._conninfo,
                min_size=1,
                max_size=POSTGRES_CONNECTIONS,
                open=False,
                # Autocommit: one round trip per read, with no transaction to end afterwards.
                kwargs={"autocommit": True, "connect_timeout": CONNECT_TIMEOUT_S},
                timeout=POSTGRES_DEADLINE_S,
            )
        await self._pool.open()
        return self._pool

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close(timeout=CONNECT_TIMEOUT_S)
            self._pool = None
