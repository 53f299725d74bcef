"""Scripted misbehaviour for the next calls of a method: HTTP errors, API errors, slowness."""

from collections import defaultdict, deque
from dataclasses import dataclass

from tests.slack_stub.wire import Reply


@dataclass(frozen=True)
class Fault:
    """How to treat one call. Without ``error`` the call is answered normally, after the delay."""

    error: str | None = None
    status: int = 200
    retry_after: int | None = None
    delay_seconds: float = 0.0

    def forced_reply(self) -> Reply | None:
        """The reply that replaces the normal answer, or None to answer normally."""
        if self.error is None:
            return None
        return Reply(
            status=self.status,
            body={"ok": False, "error": self.error},
            retry_after=self.retry_after,
            delay_seconds=self.delay_seconds,
        )


NO_FAULT = Fault()


class FaultPlan:
    """Per-method queues of faults, consumed one per call, first scheduled first used."""

    def __init__(self) -> None:
        self._queues: defaultdict[str, deque[Fault]] = defaultdict(deque)

    def schedule(self, method: str, fault: Fault, times: int) -> None:
        """Apply ``fault`` to the next ``times`` calls of ``method`` not already scripted."""
        if times < 1:
            raise ValueError(f"times must be at least 1, got {times}")
        self._queues[method].extend([fault] * times)

    def take(self, method: str) -> Fault:
        """The fault for this call of ``method``, or NO_FAULT."""
        queue = self._queues[method]
        return queue.popleft() if queue else NO_FAULT
