"""Engines for any SQLAlchemy URL, with SQLite set up to behave under concurrent writers, and
read-only engines for commands that only look."""

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.pool import NullPool, StaticPool

from storage.write_turns import WriteTurns

READ_ONLY = "billing_read_only"
HOLDS_WRITE_TURN = "billing_holds_write_turn"
SQLITE_BUSY_TIMEOUT_S = 30
# Enough connections for every thread that may hold one at once (request workers, background
# work, the scheduler), so none waits for the pool or opens and closes one per request.
POOL_SIZE = 32
POOL_OVERFLOW = 8


def make_engine(url: str) -> Engine:
    """Build the engine; SQLite gets WAL, foreign keys and write-locking transactions."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        # No pre-ping: it costs a round trip per checkout; a connection found dead fails that
        # one request (answered with an apology) and SQLAlchemy then replaces the pool.
        return create_engine(
            url, pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW, pool_recycle=1800
        )
    in_memory = parsed.database in (None, "", ":memory:")
    pooling: dict[str, Any] = (
        {"poolclass": StaticPool}
        if in_memory
        else {"pool_size": POOL_SIZE, "max_overflow": POOL_OVERFLOW}
    )
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_S},
        **pooling,
    )
    _configure_sqlite(engine, wal=not in_memory)
    return engine


def make_read_only_engine(url: str) -> Engine:
    """An engine on the database as it is, which can change nothing in it: a SQLite file opened
    read-only (one that does not exist is ``DatabaseUnreachable``, never created), PostgreSQL
    in read-only transactions. Every transaction it begins is a read-only one."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite" and parsed.database not in (None, "", ":memory:"):
        file = Path(parsed.database).absolute()
        if not file.is_file():
            raise DatabaseUnreachable(f"the SQLite file {file} does not exist")
        uri = f"{file.as_uri()}?mode=ro"
        engine = create_engine(
            f"sqlite:///{file}",  # shown in messages; the connections are the creator's
            creator=lambda: sqlite3.connect(
                uri, uri=True, check_same_thread=False, timeout=SQLITE_BUSY_TIMEOUT_S
            ),
            poolclass=NullPool,
        )
        _configure_sqlite(engine, wal=False)
    elif backend == "sqlite":  # in memory: empty, and gone with the connection
        engine = make_engine(url)
    elif backend == "postgresql":
        given = parsed.query.get("options", "")
        given = given if isinstance(given, str) else " ".join(given)
        options = f"{given} -c default_transaction_read_only=on".strip()
        engine = create_engine(url, poolclass=NullPool, connect_args={"options": options})
    else:
        engine = create_engine(url, poolclass=NullPool)
    return engine.execution_options(**{READ_ONLY: True})


def _configure_sqlite(engine: Engine, *, wal: bool) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from pysqlite so "begin" below decides the locking mode.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if wal:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
        cursor.close()

    turns = WriteTurns()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Connection) -> None:
        # A deferred transaction that later writes can fail at once with SQLITE_BUSY when
        # another writer got there first; IMMEDIATE takes the write lock up front and waits.
        if connection.get_execution_options().get(READ_ONLY, False):
            connection.exec_driver_sql("BEGIN")
            return
        if not turns.take(timeout=SQLITE_BUSY_TIMEOUT_S):
            raise TimeoutError(f"no turn to write within {SQLITE_BUSY_TIMEOUT_S} s")
        connection.info[HOLDS_WRITE_TURN] = True
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            end_turn(connection)
            raise

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def end_turn(connection: Connection) -> None:
        end_turn_of(connection.info)

    # However a transaction ends, its connection's turn ends when it is back in the pool.
    @event.listens_for(engine, "reset")
    def reset(dbapi_connection: Any, connection_record: Any, reset_state: Any) -> None:
        end_turn_of(connection_record.info)

    @event.listens_for(engine, "invalidate")
    def invalidate(dbapi_connection: Any, connection_record: Any, exception: Any) -> None:
        end_turn_of(connection_record.info)

    def end_turn_of(info: dict[str, Any]) -> None:
        if info.pop(HOLDS_WRITE_TURN, False):
            turns.give_back()


def is_database_reachable(engine: Engine) -> bool:
    """Whether the database answers a trivial query now."""
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except (SQLAlchemyError, OSError):
        return False
    return True


class DatabaseUnreachable(Exception):
    """The database cannot be opened; the message says why in one line, without a password."""


def shown(url: URL) -> str:
    """The URL as a message may show it: the password and every query value (a password may
    be passed there too, ``?password=…``) as ``***``."""
    if url.get_backend_name() == "sqlite":  # rendered, ":memory:" would be "%3Amemory%3A"
        shown = f"{url.drivername}:///{url.database or ''}"
    else:
        shown = url.set(query={}).render_as_string(hide_password=True)
    return shown + "".join(
        f"{'?' if index == 0 else '&'}{key}=***" for index, key in enumerate(url.query)
    )


def ensure_reachable(engine: Engine) -> None:
    """Open one connection, or raise ``DatabaseUnreachable`` saying why not."""
    try:
        with engine.connect():
            pass
    except DBAPIError as error:
        url = engine.url
        reason = _sqlite_reason(url) or _driver_reason(error)
        for secret in _secrets(url):
            reason = reason.replace(secret, "***")
        raise DatabaseUnreachable(f"could not connect to {shown(url)}: {reason}") from None


def _secrets(url: URL) -> list[str]:
    """The password, wherever the URL holds it, for keeping out of the driver's reason."""
    found = [str(url.password)] if url.password else []
    for key, value in url.query.items():
        if "pass" in key.lower():
            found += [value] if isinstance(value, str) else list(value)
    return [secret for secret in found if secret]


def _sqlite_reason(url: URL) -> str | None:
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    folder = Path(url.database).parent
    return None if folder.is_dir() else f"the folder {folder} does not exist"


def _driver_reason(error: DBAPIError) -> str:
    # psycopg says 'connection failed: connection to server at "h", port 5432 failed: FATAL:
    # database "x" does not exist' and a hint on the next lines: keep the last reason only.
    first_line = str(error.orig).strip().splitlines()[0]
    return first_line.rsplit("failed: ", 1)[-1].removeprefix("FATAL:").strip()
