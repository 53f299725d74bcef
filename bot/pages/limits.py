"""Guessing links is bounded: failed token lookups are counted per client address."""

import math
import threading
import time
from collections import deque
from collections.abc import Callable

FAILURES_ALLOWED = 10
WINDOW_S = 15 * 60.0
ADDRESSES_KEPT = 10_000


class FailedLookups:
    """After ``allowed`` failed lookups from one address within ``window_s`` seconds, that
    address is refused until its oldest failure is that old. Memory is bounded: beyond
    ``ADDRESSES_KEPT`` addresses, the longest-known are forgotten first."""

    def __init__(
        self,
        allowed: int = FAILURES_ALLOWED,
        window_s: float = WINDOW_S,
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._allowed = allowed
        self._window_s = window_s
        self._monotonic = monotonic
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def blocked(self, address: str) -> bool:
        with self._lock:
            return len(self._recent(address)) >= self._allowed

    def retry_after(self, address: str) -> int:
        """Seconds until a blocked address may look again (its oldest failure ages out)."""
        with self._lock:
            recent = self._recent(address)
            wait = recent[0] + self._window_s - self._monotonic() if recent else 0.0
            return max(1, math.ceil(wait))

    def failed(self, address: str) -> None:
        with self._lock:
            recent = self._recent(address)
            recent.append(self._monotonic())
            self._failures[address] = recent
            while len(self._failures) > ADDRESSES_KEPT:
                del self._failures[next(iter(self._failures))]

    def _recent(self, address: str) -> deque[float]:
        recent = self._failures.get(address, deque(maxlen=self._allowed))
        since = self._monotonic() - self._window_s
        while recent and recent[0] <= since:
            recent.popleft()
        return recent
