"""An asyncio HTTP/1.1 keep-alive client: the fallback load generator, the one that sends an
exact number of requests, and the one that sends the mix (a list of requests of several kinds,
each with its own expected answer, timed kind by kind)."""

import asyncio
import itertools
import math
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from bench.config import ACK_TIMEOUT_S

NO_DEADLINE_S = 3600.0
SINGLE = "request"
"""The kind of every request when there is only one."""


@dataclass(frozen=True)
class Sendable:
    """One whole HTTP request and what its answer must be to count as acknowledged."""

    kind: str
    payload: bytes
    marker: bytes | None
    """Bytes the body must contain; ``None``: the body must be empty (a bare ``ack()``)."""

    def answered(self, status: int, body: bytes) -> bool:
        if status != 200:
            return False
        return body == b"" if self.marker is None else self.marker in body


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    """Seconds from sending to the whole response, for every answered request."""
    dropped: int = 0
    seconds: float = 0.0
    statuses: Counter[int] = field(default_factory=Counter)
    """How many responses came back with each HTTP status."""

    def percentile(self, p: float) -> float:
        """Nearest-rank percentile of the latencies (0 when there are none)."""
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]

    @property
    def slowest(self) -> float:
        return max(self.latencies, default=0.0)


@dataclass
class Tallies:
    """A tally per request kind, and the deadline and count every connection shares."""

    deadline: float
    remaining: int | None
    kinds: dict[str, Tally] = field(default_factory=dict)
    seconds: float = 0.0

    def take(self) -> bool:
        """Whether another request may start."""
        if time.monotonic() >= self.deadline or self.remaining == 0:
            return False
        if self.remaining is not None:
            self.remaining -= 1
        return True

    def of(self, kind: str) -> Tally:
        return self.kinds.setdefault(kind, Tally())

    def total(self) -> Tally:
        """Every kind together."""
        merged = Tally(seconds=self.seconds)
        for tally in self.kinds.values():
            merged.latencies += tally.latencies
            merged.dropped += tally.dropped
            merged.statuses += tally.statuses
        return merged


def run(
    host: str,
    port: int,
    payload: bytes,
    marker: str,
    concurrency: int,
    *,
    seconds: float | None = None,
    requests: int | None = None,
) -> Tally:
    """Load ``host:port`` with one request for ``seconds``, or until ``requests`` were sent."""
    request = Sendable(SINGLE, payload, marker.encode())
    return run_mix(host, port, [request], concurrency, seconds=seconds, requests=requests).total()


def run_mix(
    host: str,
    port: int,
    mix: Sequence[Sendable],
    concurrency: int,
    *,
    seconds: float | None = None,
    requests: int | None = None,
) -> Tallies:
    """Keep ``concurrency`` connections busy, each taking the next request of ``mix`` (one
    cursor for all of them, from the start again once it is used up)."""
    return asyncio.run(_run(host, port, mix, concurrency, seconds, requests))


async def _run(
    host: str,
    port: int,
    mix: Sequence[Sendable],
    concurrency: int,
    seconds: float | None,
    requests: int | None,
) -> Tallies:
    started = time.monotonic()
    deadline = started + (NO_DEADLINE_S if seconds is None else seconds)
    tallies = Tallies(deadline, requests)
    cursor = itertools.cycle(mix)
    await asyncio.gather(*(_connection(host, port, cursor, tallies) for _ in range(concurrency)))
    tallies.seconds = time.monotonic() - started
    return tallies


async def _connection(host: str, port: int, cursor: Iterator[Sendable], tallies: Tallies) -> None:
    streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
    while tallies.take():
        request = next(cursor)
        tally = tallies.of(request.kind)
        sent = time.perf_counter()
        try:
            if streams is None:
                streams = await asyncio.open_connection(host, port)
            status, body = await asyncio.wait_for(
                _exchange(*streams, request.payload), ACK_TIMEOUT_S
            )
        except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError):
            tally.dropped += 1
            _close(streams)
            streams = None
            continue
        tally.latencies.append(time.perf_counter() - sent)
        tally.statuses[status] += 1
        if not request.answered(status, body):
            tally.dropped += 1
    _close(streams)


async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, payload: bytes
) -> tuple[int, bytes]:
    writer.write(payload)
    await writer.drain()
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
    status_line, *header_lines = head.split("\r\n")
    headers = dict(line.lower().split(":", 1) for line in header_lines if ":" in line)
    length = int(headers.get("content-length", "missing"))  # ValueError when it is missing
    return int(status_line.split()[1]), await reader.readexactly(length)


def _close(streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None) -> None:
    if streams is not None:
        streams[1].close()
