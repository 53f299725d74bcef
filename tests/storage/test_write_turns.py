"""SQLite's writers in one process take turns on a lock: however a write transaction ends
(commit, rollback, an error, a connection closed without either), the next writer gets its
turn; readers never wait for one."""

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from storage.engine import READ_ONLY, make_engine

LIVENESS_S = 5.0
"""Far below SQLite's own 30 s wait: a turn that was never given back shows as a hang."""


@pytest.fixture
def sqlite(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'turns.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
    yield engine
    engine.dispose()


def _writer(engine: Engine) -> threading.Event:
    """A writer in a thread of its own; the event is set once it has written."""
    wrote = threading.Event()

    def write() -> None:
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO t VALUES (2)"))
        wrote.set()

    threading.Thread(target=write, daemon=True).start()
    return wrote


def _commit(engine: Engine) -> None:
    with engine.connect() as connection:
        connection.execute(text("INSERT INTO t VALUES (1)"))
        connection.commit()


def _close_without_commit(engine: Engine) -> None:
    connection = engine.connect()
    connection.execute(text("INSERT INTO t VALUES (1)"))
    connection.close()


class GaveUp(Exception):
    pass


def _raise_inside(engine: Engine) -> None:
    def write_then_give_up() -> None:
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO t VALUES (1)"))
            raise GaveUp

    with pytest.raises(GaveUp):
        write_then_give_up()


def _bad_statement(engine: Engine) -> None:
    with pytest.raises(OperationalError), engine.begin() as connection:
        connection.execute(text("INSERT INTO missing VALUES (1)"))


def _session_closed(engine: Engine) -> None:
    with Session(engine) as session:
        session.connection().execute(text("INSERT INTO t VALUES (1)"))


@pytest.mark.parametrize(
    "end", [_commit, _close_without_commit, _raise_inside, _bad_statement, _session_closed]
)
def test_the_next_writer_gets_its_turn_however_a_write_ends(
    sqlite: Engine, end: Callable[[Engine], None]
) -> None:
    end(sqlite)
    assert _writer(sqlite).wait(LIVENESS_S)


def test_a_writer_waits_for_the_one_writing_and_readers_do_not(sqlite: Engine) -> None:
    with sqlite.connect() as writing:
        writing.execute(text("INSERT INTO t VALUES (1)"))
        waiting = _writer(sqlite)
        assert not waiting.wait(0.5)
        with sqlite.connect().execution_options(**{READ_ONLY: True}) as reading:
            assert _count(reading) == 0  # WAL: the reader sees what was committed
        writing.commit()
    assert waiting.wait(LIVENESS_S)
    with sqlite.connect() as reading:
        assert _count(reading) == 2


def _count(connection: Connection) -> int:
    return int(connection.execute(text("SELECT count(*) FROM t")).scalar_one())
