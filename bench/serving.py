"""Acknowledgement throughput and latency (part 1) and the bot's resident memory (part 3).

Every target is up at once and loaded in turn, concurrency by concurrency, with the same
request for the same time: ``billing-bot serve`` on each database, the peer and the floor.
"""

import functools
import http.client
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from bench.config import LIST_MARKER, Sizes
from bench.databases import Backend, fresh_database
from bench.load import HOST, LoadResult, load, load_count
from bench.seed import seed_account
from bench.servers import (
    ONE_WORKSPACE,
    Server,
    StubProcess,
    start_bot,
    start_floor,
    start_peer,
)
from bench.signing import PATH, list_command

PEER = "peer"
FLOOR = "floor"
WARM_UP_S = 1.0
MEMORY_CONCURRENCY = 8


@dataclass(frozen=True)
class Target:
    name: str
    server: Server
    marker: str
    """Text every acknowledgement from this target carries."""


@dataclass(frozen=True)
class Run:
    target: str
    concurrency: int
    result: LoadResult


@dataclass(frozen=True)
class Memory:
    target: str
    idle_mb: float
    """All the server's processes together, idle."""
    loaded_mb: float
    """All the server's processes together, after the load."""
    largest_mb: float
    """The largest single process after the load."""
    load: LoadResult
    """The requests sent between the two readings."""


def bot_name(backend: Backend) -> str:
    return f"bot ({backend.name})"


def start_bots(
    stack: ExitStack,
    backends: list[Backend],
    seed: Callable[[Engine], None],
    api_url: str,
    workdir: Path,
    log_prefix: str = "",
    slack: Mapping[str, str] = ONE_WORKSPACE,
) -> list[tuple[str, Server]]:
    """``billing-bot serve`` on a fresh database of each backend, seeded by ``seed``, reaching
    Slack by the settings ``slack``; each stopped when ``stack`` closes."""
    started = []
    for backend in backends:
        engine = fresh_database(backend)
        seed(engine)
        engine.dispose()
        log_name = f"{log_prefix}bot-{backend.name.lower()}"
        server = stack.enter_context(start_bot(log_name, backend.url, api_url, workdir, slack))
        started.append((bot_name(backend), server))
    return started


def measure_serving(
    sizes: Sizes, backends: list[Backend], stub: StubProcess, workdir: Path
) -> tuple[list[Run], list[Memory]]:
    with ExitStack() as stack:
        seed = functools.partial(seed_account, api_url=stub.api_url)
        bots = [
            Target(name, server, LIST_MARKER)
            for name, server in start_bots(stack, backends, seed, stub.api_url, workdir)
        ]
        peer = Target(PEER, stack.enter_context(start_peer(stub.api_url, workdir)), "ok")
        floor = Target(FLOOR, stack.enter_context(start_floor(workdir)), "ok")
        targets = [floor, peer, *bots]
        for target in targets:
            _check(target, stub.response_url)
        memory = [_memory(bot, sizes.memory_requests, stub.response_url) for bot in bots]
        for target in (floor, peer):  # the bots were warmed up by the memory run
            _load(target, stub.response_url, MEMORY_CONCURRENCY, WARM_UP_S)
        runs = [
            Run(target.name, c, _load(target, stub.response_url, c, sizes.seconds))
            for c in sizes.concurrencies
            for target in targets
        ]
        return runs, memory


def _load(target: Target, response_url: str, concurrency: int, seconds: float) -> LoadResult:
    request = list_command(response_url)
    return load(
        target.server.port, request, target.marker, concurrency=concurrency, seconds=seconds
    )


def _memory(bot: Target, requests: int, response_url: str) -> Memory:
    idle = sum(bot.server.rss_mb())
    request = list_command(response_url)
    sent = load_count(
        bot.server.port, request, bot.marker, concurrency=MEMORY_CONCURRENCY, requests=requests
    )
    loaded = bot.server.rss_mb()
    return Memory(bot.name, idle, sum(loaded), max(loaded), sent)


def _check(target: Target, response_url: str) -> None:
    """One request, answered as expected, before any load."""
    request = list_command(response_url)
    connection = http.client.HTTPConnection(HOST, target.server.port, timeout=10)
    try:
        connection.request("POST", PATH, body=request.body, headers=request.headers)
        response = connection.getresponse()
        body = response.read().decode()
    finally:
        connection.close()
    if response.status != 200 or target.marker not in body:
        raise RuntimeError(f"{target.name} answered {response.status}: {body[:300]}")
