"""An account's owner and version by team, read on the event loop without waiting.

This is the check made on every request that may be answered with a kept reply
(``bot/handlers/early.py``), so it is read where the request arrives: one statement, no unit
of work (a session, a transaction and ORM objects cost ten times as much for two values) and
no hop to a worker thread. It must never hold the event loop up: SQLite is read with a busy
timeout of zero, PostgreSQL through an asynchronous connection in rounds with a deadline
(``postgres_stamps.py``). Whenever the database cannot answer at once, ``StampUnavailable``
sends the request the long way round.
"""

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import ColumnElement, Dialect, Engine, bindparam
from sqlmodel import col, select

from storage.tables import Account


@dataclass(frozen=True)
class AccountStamp:
    owner_user_id: str
    version: int
    """Raised by every audited change to the account, in the change's own transaction."""


class StampUnavailable(Exception):
    """The database could not answer at once."""


class AccountStamps(Protocol):
    async def for_team(self, team_id: str) -> AccountStamp | None:
        """The stamp of the team's account, None if it has none; ``StampUnavailable``."""

    async def close(self) -> None: ...


def account_stamps(engine: Engine) -> AccountStamps | None:
    """Stamps of the engine's database, or None where they cannot be read without waiting
    (an in-memory SQLite database, a PostgreSQL driver other than psycopg)."""
    url = engine.url
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        assert url.database is not None
        return SQLiteStamps(Path(url.database), engine.dialect)
    if url.get_backend_name() == "postgresql" and url.get_driver_name() == "psycopg":
        from storage.postgres_stamps import PostgresStamps  # SQLite deployments never load libpq

        conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
        return PostgresStamps(conninfo, engine.dialect)
    return None


def stamps_query(where: ColumnElement[bool], dialect: Dialect) -> str:
    """The statement reading (team id, owner, version) of the accounts ``where`` picks."""
    query = select(col(Account.team_id), col(Account.owner_user_id), col(Account.version))
    return str(query.where(where).compile(dialect=dialect))


def stamp_of(row: tuple[Any, ...]) -> AccountStamp:
    """The stamp in a row of ``stamps_query``."""
    return AccountStamp(str(row[1]), int(row[2]))


class SQLiteStamps:
    def __init__(self, path: Path, dialect: Dialect) -> None:
        self._uri = f"{path.absolute().as_uri()}?mode=rw"
        self._sql = stamps_query(col(Account.team_id) == bindparam("team_id"), dialect)
        self._connection: sqlite3.Connection | None = None

    async def for_team(self, team_id: str) -> AccountStamp | None:
        try:
            # fetchall: the statement runs to its end, so no read snapshot stays open after it.
            rows = self._connect().execute(self._sql, (team_id,)).fetchall()
            return stamp_of(rows[0]) if rows else None
        except sqlite3.Error as error:
            raise StampUnavailable(str(error)) from error

    def _connect(self) -> sqlite3.Connection:
        if self._connection is None:
            # timeout=0: a database that is locked (rare in WAL mode) is reported, not waited on.
            self._connection = sqlite3.connect(
                self._uri, uri=True, timeout=0, isolation_level=None, check_same_thread=False
            )
            self._connection.execute("PRAGMA query_only = ON")
        return self._connection

    async def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
