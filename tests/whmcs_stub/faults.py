"""Scripted misbehaviour for the next calls of an action."""

from collections import defaultdict, deque
from dataclasses import dataclass

from tests.whmcs_stub.wire import Reply


@dataclass(frozen=True)
class Fault:
    """How to treat one call: whether it takes effect, what replaces its answer (None: the
    real answer), and how long the reply waits."""

    applies: bool = True
    reply: Reply | None = None
    delay_seconds: float = 0.0


NO_FAULT = Fault()


class FaultPlan:
    """Per-action queues of faults, consumed one per call, first scheduled first used."""

    def __init__(self) -> None:
        self._queues: defaultdict[str, deque[Fault]] = defaultdict(deque)

    def schedule(self, action: str, fault: Fault, times: int) -> None:
        if times < 1:
            raise ValueError(f"times must be at least 1, got {times}")
        self._queues[action.lower()].extend([fault] * times)

    def take(self, action: str) -> Fault:
        queue = self._queues[action.lower()]
        return queue.popleft() if queue else NO_FAULT
