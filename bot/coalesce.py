"""Work asked for from many threads at once, done by one of them at a time."""

import functools
import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar


class OnePassAtATime:
    """Runs ``work`` when asked. A caller that asks while a pass is running does not start a
    second pass beside it: the running pass makes one more after it ends, which starts after
    every such ask and so sees what each caller committed before asking. Many asks during one
    pass cost one more pass, not one each."""

    def __init__(self, work: Callable[[], object]) -> None:
        self._work = work
        self._lock = threading.Lock()
        self._running = False
        self._asked_again = False

    def __call__(self) -> None:
        with self._lock:
            if self._running:
                self._asked_again = True
                return
            self._running = True
        try:
            while True:
                self._work()
                with self._lock:
                    if not self._asked_again:
                        self._running = False
                        return
                    self._asked_again = False
        except BaseException:
            with self._lock:
                self._running = False
            raise


Key = TypeVar("Key", bound=Hashable)


class OnePassAtATimeEach(Generic[Key]):
    """``OnePassAtATime`` for each key: passes for different keys run side by side. A key's
    runner is kept once made (one per App Home viewer, say: small, and bounded by them)."""

    def __init__(self, work: Callable[[Key], object]) -> None:
        self._work = work
        self._lock = threading.Lock()
        self._runners: dict[Key, OnePassAtATime] = {}

    def __call__(self, key: Key) -> None:
        with self._lock:
            runner = self._runners.get(key)
            if runner is None:
                runner = self._runners[key] = OnePassAtATime(functools.partial(self._work, key))
        runner()
