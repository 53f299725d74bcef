"""One pass at a time: asks during a pass make one more pass after it, which sees what each
asker did before asking; none is lost, and they do not each cost a pass."""

import threading

import pytest

from bot.coalesce import OnePassAtATime, OnePassAtATimeEach

WAIT_S = 5.0


class Work:
    def __init__(self) -> None:
        self.committed = 0
        self.seen: list[int] = []
        self.first_pass_started = threading.Event()
        self.release_first_pass = threading.Event()

    def __call__(self) -> None:
        self.seen.append(self.committed)
        if len(self.seen) == 1:
            self.first_pass_started.set()
            assert self.release_first_pass.wait(WAIT_S)


def test_asks_during_a_pass_cost_one_more_pass_that_sees_their_changes() -> None:
    work = Work()
    run = OnePassAtATime(work)
    first = threading.Thread(target=run)
    first.start()
    assert work.first_pass_started.wait(WAIT_S)
    for _ in range(5):
        work.committed += 1
        run()  # returns at once: the running pass owes one more
    assert work.seen == [0]
    work.release_first_pass.set()
    first.join(WAIT_S)
    assert work.seen == [0, 5]


def test_an_ask_with_nothing_running_is_one_pass_done_when_it_returns() -> None:
    work = Work()
    work.release_first_pass.set()
    run = OnePassAtATime(work)
    run()
    run()
    assert work.seen == [0, 0]


def test_a_failed_pass_does_not_stop_later_ones() -> None:
    calls: list[int] = []

    def failing_once() -> None:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("the database went away")

    run = OnePassAtATime(failing_once)
    with pytest.raises(RuntimeError):
        run()
    run()
    assert len(calls) == 2


def test_each_key_has_its_passes_and_keys_do_not_wait_for_each_other() -> None:
    runs: list[str] = []
    a_started, release_a = threading.Event(), threading.Event()

    def refresh(key: str) -> None:
        runs.append(key)
        if runs.count("a") == 1 and key == "a":
            a_started.set()
            assert release_a.wait(WAIT_S)

    run = OnePassAtATimeEach(refresh)
    first = threading.Thread(target=run, args=("a",))
    first.start()
    assert a_started.wait(WAIT_S)
    run("b")  # not held up by a's pass
    run("a")
    run("a")  # both fold into one more pass of a
    assert runs == ["a", "b"]
    release_a.set()
    first.join(WAIT_S)
    assert runs == ["a", "b", "a"]
