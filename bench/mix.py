"""The mix (part 6): the requests real workspaces send, every kind timed on its own.

The bot on each database, the peer and the floor are up at once (servers of their own, not
part 1's) and loaded in turn, concurrency by concurrency, for the same time each, by the
asyncio client cycling through a list of signed requests of every kind (``mix_requests``).
The requests are spread over ``Sizes.mix_workspaces`` workspaces, each installed through OAuth
(as part 7 installs them) with an account of its own: the bot serves them all, authorising each
request through its installations and answering with that workspace's token.
"""

import functools
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from bench import pyload
from bench.config import Sizes, workspace
from bench.databases import Backend
from bench.load import HOST
from bench.mix_requests import KINDS, build_mix
from bench.seed import seed_account
from bench.servers import Server, StubProcess, start_floor, start_peer
from bench.serving import FLOOR, PEER, start_bots
from bench.workspaces import install, new_key, oauth_environment
from bot.core import utc_now
from storage.secrets import Cipher

WARM_UP_S = 1.0
WARM_UP_CONCURRENCY = 8
ALL = "all requests"


@dataclass(frozen=True)
class MixTarget:
    name: str
    server: Server
    exact: bool
    """Whether answers are checked kind by kind (the bots) or need only be a 200."""


@dataclass(frozen=True)
class Latency:
    """One kind's requests in one run (or all of them: ``ALL``)."""

    requests: int
    dropped: int
    p50_ms: float
    p99_ms: float
    max_ms: float

    @classmethod
    def of(cls, tally: pyload.Tally) -> "Latency":
        return cls(
            requests=len(tally.latencies),
            dropped=tally.dropped,
            p50_ms=tally.percentile(50) * 1000,
            p99_ms=tally.percentile(99) * 1000,
            max_ms=tally.slowest * 1000,
        )


@dataclass(frozen=True)
class MixRun:
    target: str
    concurrency: int
    seconds: float
    kinds: dict[str, Latency]
    overall: Latency
    statuses: dict[int, int]

    @property
    def rps(self) -> float:
        return self.overall.requests / self.seconds if self.seconds else 0.0


@dataclass(frozen=True)
class MixMemory:
    target: str
    requests: int
    """Requests the bot was sent in this part, before the reading."""
    dropped: int
    """Of the requests sent to make up ``requests`` after the runs."""
    rss_mb: float
    """All the bot's processes together."""
    largest_mb: float


@dataclass(frozen=True)
class MixResults:
    sizes: Sizes
    runs: list[MixRun]
    memory: list[MixMemory]

    def run(self, target: str, concurrency: int) -> MixRun:
        return next(r for r in self.runs if r.target == target and r.concurrency == concurrency)

    @property
    def bots(self) -> list[str]:
        return [m.target for m in self.memory]

    @property
    def dropped(self) -> int:
        """Requests the bots did not acknowledge as expected (the peer's are its result)."""
        loaded = sum(r.overall.dropped for r in self.runs if r.target in self.bots)
        return loaded + sum(m.dropped for m in self.memory)


def seed_workspaces(engine: Engine, api_url: str, workspaces: int, secrets_key: str) -> None:
    """The first ``workspaces`` installed (their tokens sealed with ``secrets_key``), each with
    an account set up through the core: its owner, active users and pending invitations."""
    teams = [workspace(n) for n in range(workspaces)]
    with engine.begin() as connection:
        install(connection, Cipher([secrets_key]), teams, utc_now())
    for team in teams:
        seed_account(engine, api_url, team)


def measure_mix(
    sizes: Sizes, backends: list[Backend], stub: StubProcess, workdir: Path
) -> MixResults:
    with ExitStack() as stack:
        key = new_key()
        seed = functools.partial(
            seed_workspaces, api_url=stub.api_url, workspaces=sizes.mix_workspaces, secrets_key=key
        )
        started = start_bots(
            stack, backends, seed, stub.api_url, workdir, "mix-", oauth_environment(key)
        )
        bots = [MixTarget(name, server, exact=True) for name, server in started]
        peer = stack.enter_context(start_peer(stub.api_url, workdir, "mix-peer"))
        floor = stack.enter_context(start_floor(workdir, "mix-floor"))
        targets = [MixTarget(FLOOR, floor, False), MixTarget(PEER, peer, False), *bots]
        sent: Counter[str] = Counter()
        for target in targets:
            sent[target.name] += _check(target, sizes, stub.response_url)
            warm = _load(target, sizes, stub.response_url, WARM_UP_CONCURRENCY, WARM_UP_S, "w")
            sent[target.name] += warm.overall.requests
        runs = []
        for c in sizes.mix_concurrencies:
            for target in targets:
                runs.append(_load(target, sizes, stub.response_url, c, sizes.seconds, f"c{c}"))
                sent[target.name] += runs[-1].overall.requests
        memory = [_memory(bot, sizes, stub.response_url, sent[bot.name]) for bot in bots]
        return MixResults(sizes, runs, memory)


def _load(
    target: MixTarget, sizes: Sizes, response_url: str, concurrency: int, seconds: float, tag: str
) -> MixRun:
    port = target.server.port
    mix = build_mix(
        sizes.mix_requests, tag, response_url, sizes.mix_workspaces, port, exact=target.exact
    )
    tallies = pyload.run_mix(HOST, port, mix, concurrency, seconds=seconds)
    return _mix_run(target.name, concurrency, tallies)


def _mix_run(target: str, concurrency: int, tallies: pyload.Tallies) -> MixRun:
    total = tallies.total()
    kinds = {kind.name: Latency.of(tallies.of(kind.name)) for kind in KINDS}
    return MixRun(
        target, concurrency, tallies.seconds, kinds, Latency.of(total), dict(total.statuses)
    )


def _check(target: MixTarget, sizes: Sizes, response_url: str) -> int:
    """One request of every kind, one at a time, each answered as expected, before any load;
    returns the number sent."""
    port = target.server.port
    mix = build_mix(
        sizes.mix_requests, "k", response_url, sizes.mix_workspaces, port, exact=target.exact
    )
    first: dict[str, pyload.Sendable] = {}
    for request in mix:
        first.setdefault(request.kind, request)
    missing = [kind.name for kind in KINDS if kind.name not in first]
    if missing:
        raise RuntimeError(f"{sizes.mix_requests} requests are too few for {', '.join(missing)}")
    firsts = list(first.values())
    tallies = pyload.run_mix(HOST, port, firsts, 1, requests=len(firsts))
    wrong = [kind for kind, tally in tallies.kinds.items() if tally.dropped]
    if wrong:
        raise RuntimeError(f"{target.name} did not answer as expected: {', '.join(wrong)}")
    return len(firsts)


def _memory(bot: MixTarget, sizes: Sizes, response_url: str, sent: int) -> MixMemory:
    """The bot's resident memory once it was sent at least ``sizes.memory_requests`` of the
    mix: what the runs did not send is sent now, ``WARM_UP_CONCURRENCY`` at a time."""
    missing, dropped = sizes.memory_requests - sent, 0
    if missing > 0:
        port = bot.server.port
        mix = build_mix(missing, "m", response_url, sizes.mix_workspaces, port, exact=True)
        tallies = pyload.run_mix(HOST, port, mix, WARM_UP_CONCURRENCY, requests=missing)
        sent, dropped = sent + missing, tallies.total().dropped
    rss = bot.server.rss_mb()
    return MixMemory(bot.name, sent, dropped, sum(rss), max(rss))
