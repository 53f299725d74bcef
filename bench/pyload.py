"""An asyncio HTTP/1.1 keep-alive client: the fallback load generator, and the one that sends
an exact number of requests."""

import asyncio
import math
import time
from dataclasses import dataclass, field

from bench.config import ACK_TIMEOUT_S

NO_DEADLINE_S = 3600.0


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    """Seconds from sending to the whole response, for every answered request."""
    dropped: int = 0
    seconds: float = 0.0
    remaining: int | None = None

    def take(self, deadline: float) -> bool:
        """Whether another request may start."""
        if time.monotonic() >= deadline or self.remaining == 0:
            return False
        if self.remaining is not None:
            self.remaining -= 1
        return True

    def percentile(self, p: float) -> float:
        """Nearest-rank percentile of the latencies (0 when there are none)."""
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


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
    """Load ``host:port`` for ``seconds``, or until ``requests`` were sent."""
    return asyncio.run(_run(host, port, payload, marker.encode(), concurrency, seconds, requests))


async def _run(
    host: str,
    port: int,
    payload: bytes,
    marker: bytes,
    concurrency: int,
    seconds: float | None,
    requests: int | None,
) -> Tally:
    tally = Tally(remaining=requests)
    started = time.monotonic()
    deadline = started + (NO_DEADLINE_S if seconds is None else seconds)
    connections = [
        _connection(host, port, payload, marker, deadline, tally) for _ in range(concurrency)
    ]
    await asyncio.gather(*connections)
    tally.seconds = time.monotonic() - started
    return tally


async def _connection(
    host: str, port: int, payload: bytes, marker: bytes, deadline: float, tally: Tally
) -> None:
    streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
    while tally.take(deadline):
        sent = time.perf_counter()
        try:
            if streams is None:
                streams = await asyncio.open_connection(host, port)
            status, body = await asyncio.wait_for(_exchange(*streams, payload), ACK_TIMEOUT_S)
        except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError):
            tally.dropped += 1
            _close(streams)
            streams = None
            continue
        tally.latencies.append(time.perf_counter() - sent)
        if status != 200 or marker not in body:
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
