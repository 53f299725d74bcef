"""SQLite's writers in one process take turns: however a write transaction ends
(commit, rollback, an error, a connection closed without either), the next writer gets its
turn; readers never wait for one."""

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from storage.engine import READ_ONLY, make_engine
from storage.write_turns import PATIENCE_S, WriteTurns, mark_background_thread

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


def _taker(turns: WriteTurns, taken: list[str], name: str, *, background: bool) -> threading.Thread:
    def take() -> None:
        if background:
            mark_background_thread()
        assert turns.take(timeout=LIVENESS_S)
        taken.append(name)
        turns.give_back()

    thread = threading.Thread(target=take, daemon=True)
    thread.start()
    return thread


def _until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + LIVENESS_S
    while not condition():
        assert time.monotonic() < deadline
        time.sleep(0.001)


def test_a_requests_writer_goes_before_background_work_waiting_longer() -> None:
    turns, taken = WriteTurns(), list[str]()
    assert turns.take(timeout=LIVENESS_S)
    background = _taker(turns, taken, "delivery", background=True)
    time.sleep(0.05)  # the delivery waits first
    request = _taker(turns, taken, "request", background=False)
    _until(lambda: turns._requests_waiting == 1)
    turns.give_back()
    for thread in (background, request):
        thread.join(LIVENESS_S)
    assert taken == ["request", "delivery"]


def test_background_work_is_not_starved_by_a_stream_of_requests() -> None:
    turns, taken = WriteTurns(), list[str]()
    stop = time.monotonic() + 6 * PATIENCE_S

    def keep_writing() -> None:
        while time.monotonic() < stop:
            assert turns.take(timeout=LIVENESS_S)
            time.sleep(0.005)  # writing
            taken.append("request")
            turns.give_back()

    requests = [threading.Thread(target=keep_writing, daemon=True) for _ in range(3)]
    for thread in requests:
        thread.start()
    _until(lambda: turns._requests_waiting > 0)
    _taker(turns, taken, "delivery", background=True).join(LIVENESS_S)
    for thread in requests:
        thread.join(LIVENESS_S)
    # It had its turn while requests kept waiting for theirs.
    assert "delivery" in taken
    assert "request" in taken[taken.index("delivery") :]
