"""The mix's tables and its targets (issue 13), judged from one run."""

from bench.markdown import table
from bench.mix import ALL, Latency, MixMemory, MixResults, MixRun
from bench.mix_requests import KINDS
from bench.results import Verdict, ratio
from bench.serving import FLOOR, PEER

MIN_FLOOR_RATIO = 0.2
MIN_PEER_RATIO = 5.0
MAX_P99_OVER_FLOOR_MS = 100.0
MAX_LATENCY_MS = 1000.0
MAX_RSS_MB = 150.0
JUDGED_AT = (16, 32)


def mix_sections(mix: MixResults) -> list[str]:
    return [
        _throughput(mix),
        *(_by_kind(mix, c) for c in mix.sizes.mix_concurrencies),
        _memory(mix.memory),
    ]


def _throughput(mix: MixResults) -> str:
    rows = []
    for run in mix.runs:
        floor, peer = mix.run(FLOOR, run.concurrency), mix.run(PEER, run.concurrency)
        total = run.overall
        rows.append(
            [
                run.target,
                str(run.concurrency),
                f"{total.requests:,}",
                str(total.dropped),
                f"{run.rps:,.0f}",
                f"{ratio(run.rps, floor.rps):.3f}",
                f"{ratio(run.rps, peer.rps):.2f}",
                f"{total.p50_ms:.1f}",
                f"{total.p99_ms:.1f}",
                f"{total.max_ms:.1f}",
            ]
        )
    header = ["target", "c", "requests", "dropped", "req/s", "÷ floor", "÷ peer"]
    return f"## The mix: throughput, every kind together, {_spread(mix)}\n\n" + table(
        [*header, "p50 ms", "p99 ms", "max ms"], rows
    )


def _spread(mix: MixResults) -> str:
    count = mix.sizes.mix_workspaces
    return f"over {count:,} workspace{'s' if count != 1 else ''} installed through OAuth"


def _by_kind(mix: MixResults, concurrency: int) -> str:
    runs = [r for r in mix.runs if r.concurrency == concurrency]
    rows = [
        [f"{kind.name} ({kind.weight}%)", *(_cell(run.kinds[kind.name]) for run in runs)]
        for kind in KINDS
    ]
    rows.append([f"**{ALL}**", *(_cell(run.overall) for run in runs)])
    return f"## The mix by kind at concurrency {concurrency}: p50 / p99 / max ms\n\n" + table(
        ["kind (share)", *(run.target for run in runs)], rows
    )


def _cell(latency: Latency) -> str:
    if not latency.requests and not latency.dropped:
        return "none sent"
    cell = f"{latency.p50_ms:.1f} / {latency.p99_ms:.1f} / {latency.max_ms:.1f}"
    return cell + (f" ({latency.dropped} dropped)" if latency.dropped else "")


def _memory(memory: list[MixMemory]) -> str:
    rows = [
        [m.target, f"{m.requests:,}", str(m.dropped), f"{m.rss_mb:.1f}", f"{m.largest_mb:.1f}"]
        for m in memory
    ]
    header = ["target", "requests sent", "dropped (after the runs)", "MB (all)", "largest MB"]
    return "## The mix: resident memory of `billing-bot serve` afterwards\n\n" + table(header, rows)


def mix_verdicts(mix: MixResults) -> list[Verdict]:
    found = []
    for memory in mix.memory:
        for c in (c for c in mix.sizes.mix_concurrencies if c in JUDGED_AT):
            found += _run_verdicts(mix.run(memory.target, c), mix.run(FLOOR, c), mix.run(PEER, c))
        loaded = sum(r.overall.dropped for r in mix.runs if r.target == memory.target)
        dropped = loaded + memory.dropped
        found += [
            Verdict(
                f"mix, {memory.target}: every request acknowledged",
                f"{dropped} dropped",
                not dropped,
            ),
            Verdict(
                f"mix, {memory.target}: RSS of all its processes after {memory.requests:,} "
                f"requests < {MAX_RSS_MB:g} MB",
                f"{memory.rss_mb:.1f} MB (largest process: {memory.largest_mb:.1f} MB)",
                memory.rss_mb < MAX_RSS_MB,
            ),
        ]
    return found


def _run_verdicts(bot: MixRun, floor: MixRun, peer: MixRun) -> list[Verdict]:
    name = f"mix, {bot.target} at c={bot.concurrency}"
    to_floor, to_peer = ratio(bot.rps, floor.rps), ratio(bot.rps, peer.rps)
    slowest = max(KINDS, key=lambda kind: bot.kinds[kind.name].p99_ms)
    worst_p99 = bot.kinds[slowest.name].p99_ms
    bound = floor.overall.p99_ms + MAX_P99_OVER_FLOOR_MS
    return [
        Verdict(
            f"{name}: req/s ≥ {MIN_FLOOR_RATIO}x the floor",
            f"{to_floor:.3f}x",
            to_floor >= MIN_FLOOR_RATIO,
        ),
        Verdict(
            f"{name}: req/s ≥ {MIN_PEER_RATIO:g}x the peer",
            f"{to_peer:.2f}x",
            to_peer >= MIN_PEER_RATIO,
        ),
        Verdict(
            f"{name}: p99 of every kind ≤ the floor's p99 + {MAX_P99_OVER_FLOOR_MS:g} ms",
            f"slowest {slowest.name}: {worst_p99:.1f} ms vs {floor.overall.p99_ms:.1f} ms",
            worst_p99 <= bound,
        ),
        Verdict(
            f"{name}: no request above {MAX_LATENCY_MS:g} ms",
            f"max {bot.overall.max_ms:.1f} ms",
            bot.overall.max_ms <= MAX_LATENCY_MS,
        ),
    ]
