"""Account stamps read from PostgreSQL on the event loop, through one asynchronous psycopg
connection, in rounds (see ``read_rounds.py``)."""

import psycopg
from sqlalchemy import ARRAY, Dialect, String, any_, bindparam
from sqlmodel import col

from storage.read_rounds import ReadRounds
from storage.stamps import AccountStamp, StampUnavailable, stamp_of, stamps_query
from storage.tables import Account


class PostgresStamps:
    def __init__(self, conninfo: str, dialect: Dialect) -> None:
        self._conninfo = conninfo
        teams = bindparam("team_ids", type_=ARRAY(String))
        self._sql = stamps_query(col(Account.team_id) == any_(teams), dialect)
        self._connection: psycopg.AsyncConnection | None = None
        self._rounds = ReadRounds(self._read, self.close)

    async def for_team(self, team_id: str) -> AccountStamp | None:
        return await self._rounds.stamp(team_id)

    async def _read(self, team_ids: set[str]) -> dict[str, AccountStamp]:
        try:
            if self._connection is None:
                # Autocommit: one round trip per read, with no transaction to end afterwards.
                # (Connecting is bounded by the round's deadline, like the read.)
                self._connection = await psycopg.AsyncConnection.connect(
                    self._conninfo, autocommit=True
                )
            cursor = await self._connection.execute(self._sql, {"team_ids": list(team_ids)})
            return {str(row[0]): stamp_of(row) for row in await cursor.fetchall()}
        except psycopg.Error as error:
            raise StampUnavailable(str(error)) from error

    async def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            await connection.close()
