"""Everything one run measured, and the issue's targets judged from it."""

from dataclasses import dataclass

from bench.config import Sizes
from bench.serving import FLOOR, PEER, Memory, Run
from bench.sweep import Sweep
from bench.writes import Writes

MIN_FLOOR_RATIO = 0.3
MIN_PEER_RATIO = 5.0
MAX_P99_OVER_FLOOR_MS = 40.0
MAX_SWEEP_RATIO = 1.5
MAX_RSS_MB = 150.0


@dataclass(frozen=True)
class Results:
    mode: str
    generator: str
    sizes: Sizes
    runs: list[Run]
    memory: list[Memory]
    sweeps: list[Sweep]
    writes: list[Writes]

    def run(self, target: str, concurrency: int) -> Run:
        return next(r for r in self.runs if r.target == target and r.concurrency == concurrency)

    def sweeps_on(self, backend: str) -> list[Sweep]:
        """The sweeps on one database, smallest first."""
        return [s for s in self.sweeps if s.backend == backend]

    @property
    def bots(self) -> list[str]:
        return [m.target for m in self.memory]

    @property
    def dropped(self) -> int:
        """Requests the bot did not acknowledge, under load or in the memory run (the peer,
        whose every request waits behind the one before, may run past Slack's 3 s: that is
        its result, not a failure of the run)."""
        bots = sum(r.result.dropped for r in self.runs if r.target not in (PEER, FLOOR))
        return bots + sum(m.load.dropped for m in self.memory)


@dataclass(frozen=True)
class Ratios:
    """One bot run against the floor's and the peer's at the same concurrency."""

    bot: Run
    floor: Run
    peer: Run

    @property
    def rps_to_floor(self) -> float:
        return ratio(self.bot.result.rps, self.floor.result.rps)

    @property
    def rps_to_peer(self) -> float:
        return ratio(self.bot.result.rps, self.peer.result.rps)

    @property
    def p99_to_floor(self) -> float:
        return ratio(self.bot.result.p99_ms, self.floor.result.p99_ms)

    @property
    def p99_to_peer(self) -> float:
        return ratio(self.bot.result.p99_ms, self.peer.result.p99_ms)

    @property
    def p99_over_floor_ms(self) -> float:
        return self.bot.result.p99_ms - self.floor.result.p99_ms


def ratios(results: Results) -> list[Ratios]:
    return [
        Ratios(results.run(bot, c), results.run(FLOOR, c), results.run(PEER, c))
        for bot in results.bots
        for c in results.sizes.concurrencies
    ]


@dataclass(frozen=True)
class Verdict:
    target: str
    measured: str
    met: bool


def verdicts(results: Results) -> list[Verdict]:
    found = [v for memory in results.memory for v in _bot_verdicts(results, memory)]
    largest, smallest = results.sizes.sweep_totals[-1], results.sizes.sweep_totals[0]
    for backend in dict.fromkeys(s.backend for s in results.sweeps):
        ratio = sweep_ratio(results, backend)
        found.append(
            Verdict(
                f"sweep ({backend}): {largest:,} total ≤ {MAX_SWEEP_RATIO}x {smallest:,} total",
                f"{ratio:.2f}x",
                ratio <= MAX_SWEEP_RATIO,
            )
        )
    return found


def _bot_verdicts(results: Results, memory: Memory) -> list[Verdict]:
    bot = memory.target
    mine = [r for r in ratios(results) if r.bot.target == bot]
    top = mine[-1]
    found = [
        Verdict(
            f"{bot}: req/s at c={top.bot.concurrency} ≥ {MIN_FLOOR_RATIO}x the floor",
            f"{top.rps_to_floor:.3f}x",
            top.rps_to_floor >= MIN_FLOOR_RATIO,
        ),
        Verdict(
            f"{bot}: req/s at c={top.bot.concurrency} ≥ {MIN_PEER_RATIO:g}x the peer",
            f"{top.rps_to_peer:.2f}x",
            top.rps_to_peer >= MIN_PEER_RATIO,
        ),
    ]
    found += [
        Verdict(
            f"{bot}: p99 at c={r.bot.concurrency} ≤ the floor's p99 + {MAX_P99_OVER_FLOOR_MS:g} ms",
            f"{r.bot.result.p99_ms:.1f} ms vs {r.floor.result.p99_ms:.1f} ms "
            f"(+{r.p99_over_floor_ms:.1f} ms)",
            r.p99_over_floor_ms <= MAX_P99_OVER_FLOOR_MS,
        )
        for r in mine
    ]
    dropped = memory.load.dropped + sum(r.bot.result.dropped for r in mine)
    return [
        *found,
        Verdict(f"{bot}: every request acknowledged", f"{dropped} dropped", not dropped),
        Verdict(
            f"{bot}: RSS of all its processes after {memory.load.requests:,} requests "
            f"< {MAX_RSS_MB:g} MB",
            f"{memory.loaded_mb:.1f} MB (largest process: {memory.largest_mb:.1f} MB)",
            memory.loaded_mb < MAX_RSS_MB,
        ),
    ]


def sweep_ratio(results: Results, backend: str) -> float:
    """The largest sweep's time over the smallest's, on one database."""
    timed = results.sweeps_on(backend)
    return ratio(timed[-1].seconds, timed[0].seconds)


def ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else float("inf")
