"""Turns to write to one SQLite database, for the threads of this process.

SQLite has one write lock, and a writer that finds it taken sleeps and retries: under load a
writer can lose for seconds. Here a writer waits for its turn on a condition instead and is
woken as soon as the turn is free (other processes still meet SQLite's own wait). Threads
doing work in the background (deliveries, App Home refreshes) let a request's writer go
first, so an acknowledgement does not queue behind them; a background writer passed over for
``PATIENCE_S`` goes next anyway, so work that must happen is delayed, never starved.
"""

import threading
import time

PATIENCE_S = 0.5

_background = threading.local()


def mark_background_thread() -> None:
    """Mark the calling thread as doing background work (an executor's ``initializer``)."""
    _background.is_background = True


def _in_background() -> bool:
    return bool(getattr(_background, "is_background", False))


class WriteTurns:
    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._taken = False
        self._requests_waiting = 0
        self._overdue = 0
        """Background writers whose patience is out: requests let them go first."""

    def take(self, timeout: float) -> bool:
        """Wait for the turn; False when it did not come within ``timeout`` seconds."""
        background, start = _in_background(), time.monotonic()
        overdue = False
        with self._changed:
            self._requests_waiting += not background
            try:
                while True:
                    waited = time.monotonic() - start
                    if background and not overdue and waited >= PATIENCE_S:
                        overdue = True
                        self._overdue += 1
                    if not self._taken and self._may_go(background, overdue):
                        self._taken = True
                        return True
                    if waited > timeout:
                        return False
                    # Woken when the turn is given back; a background writer also looks
                    # again now and then, to notice its patience is out.
                    self._changed.wait(PATIENCE_S / 5)
            finally:
                self._requests_waiting -= not background
                self._overdue -= overdue

    def _may_go(self, background: bool, overdue: bool) -> bool:
        if background:
            return overdue or not self._requests_waiting
        return not self._overdue

    def give_back(self) -> None:
        with self._changed:
            self._taken = False
            self._changed.notify_all()
