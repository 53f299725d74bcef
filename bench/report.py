"""The results as Markdown: the tables printed, and written to bench/results/results.md."""

import os
import platform
from datetime import UTC, datetime

from bench.markdown import table
from bench.mix import MixResults
from bench.mix_report import mix_sections, mix_verdicts
from bench.portal_sync import CONCURRENCY, LATENCY_S, PortalSyncPass, sync_verdicts
from bench.results import Results, Verdict, ratios, verdicts


def render(results: Results, syncs: list[PortalSyncPass], mix: MixResults) -> str:
    header = _header(results.mode, results.generator, results.sizes.seconds)
    return "\n\n".join([header, *_sections(results, syncs, mix)]) + "\n"


def render_mix(mode: str, mix: MixResults) -> str:
    """Part 6 alone (``--mix-only``)."""
    header = _header(f"{mode}, the mix only", "python", mix.sizes.seconds)
    return "\n\n".join([header, *mix_sections(mix), _targets(mix_verdicts(mix))]) + "\n"


def _header(mode: str, generator: str, seconds: float) -> str:
    return (
        f"# Benchmark results ({mode})\n\n"
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC · {os.cpu_count()} cores · "
        f"Python {platform.python_version()} · load generator: {generator} · "
        f"{seconds:g} s per target and concurrency"
    )


def _targets(found: list[Verdict]) -> str:
    return "## Targets\n\n" + table(
        ["target", "measured", "met"],
        [[v.target, v.measured, "yes" if v.met else "**no**"] for v in found],
    )


def _sections(results: Results, syncs: list[PortalSyncPass], mix: MixResults) -> list[str]:
    return [
        *mix_sections(mix),
        "## Acknowledgement throughput and latency (`/billing-invite list`)\n\n"
        + table(
            ["target", "c", "requests", "dropped", "req/s", "p50 ms", "p95 ms", "p99 ms"],
            [
                [
                    r.target,
                    str(r.concurrency),
                    f"{r.result.requests:,}",
                    str(r.result.dropped),
                    f"{r.result.rps:,.0f}",
                    f"{r.result.p50_ms:.1f}",
                    f"{r.result.p95_ms:.1f}",
                    f"{r.result.p99_ms:.1f}",
                ]
                for r in results.runs
            ],
        ),
        "## The bot as ratios to the floor and the peer\n\n"
        + table(
            [
                "bot",
                "c",
                "req/s ÷ floor",
                "req/s ÷ peer",
                "p99 ÷ floor",
                "p99 ÷ peer",
                "p99 - floor",
            ],
            [
                [
                    r.bot.target,
                    str(r.bot.concurrency),
                    f"{r.rps_to_floor:.3f}",
                    f"{r.rps_to_peer:.2f}",
                    f"{r.p99_to_floor:.1f}",
                    f"{r.p99_to_peer:.2f}",
                    f"{r.p99_over_floor_ms:+.1f} ms",
                ]
                for r in ratios(results)
            ],
        ),
        "## Sweep scaling (one `sweep_and_deliver`)\n\n"
        + table(
            ["database", "invitations", "due", "accounts", "posts", "seconds", "÷ smallest"],
            [
                [
                    s.backend,
                    f"{s.total:,}",
                    f"{s.due:,}",
                    str(s.accounts),
                    f"{s.posts:,}",
                    f"{s.seconds:.2f}",
                    f"{s.seconds / results.sweeps_on(s.backend)[0].seconds:.2f}",
                ]
                for s in results.sweeps
            ],
        ),
        "## Resident memory of `billing-bot serve`\n\n"
        + table(
            [
                "target",
                "idle MB (all)",
                "requests",
                "dropped",
                "after MB (all)",
                "largest process MB",
            ],
            [
                [
                    m.target,
                    f"{m.idle_mb:.1f}",
                    f"{m.load.requests:,}",
                    str(m.load.dropped),
                    f"{m.loaded_mb:.1f}",
                    f"{m.largest_mb:.1f}",
                ]
                for m in results.memory
            ],
        ),
        "## Writes (`core.invitations.invite`, one email per call)\n\n"
        + table(
            ["database", "invitations", "seconds", "invitations/s"],
            [
                [w.backend, f"{w.invitations:,}", f"{w.seconds:.2f}", f"{w.per_second:,.0f}"]
                for w in results.writes
            ],
        ),
        *_sync_sections(syncs),
        _targets([*mix_verdicts(mix), *verdicts(results), *sync_verdicts(syncs)]),
    ]


def _sync_sections(syncs: list[PortalSyncPass]) -> list[str]:
    latency_ms = f"{LATENCY_S * 1000:g} ms"
    return [
        f"## Sync at scale (one `PortalSync.run_due`; WHMCS answers in "
        f"{latency_ms}, at most {CONCURRENCY} calls at once)\n\n"
        + table(
            [
                "database",
                "pass",
                "accounts",
                "users each",
                "WHMCS calls",
                "seconds",
                "accounts/s",
                "most at once",
                "within 5 min",
            ],
            [
                [
                    p.backend,
                    p.label,
                    f"{p.accounts:,}",
                    f"{p.users} + owner",
                    f"{p.calls:,}",
                    f"{p.seconds:.1f}",
                    f"{p.per_second:.2f}",
                    str(p.max_concurrent),
                    "yes" if p.fits else "**no**",
                ]
                for p in syncs
            ],
        ),
        "## Where the sync's time goes (thread-seconds over its "
        f"{CONCURRENCY} threads)\n\n"
        + table(
            [
                "database",
                "pass",
                "seconds",
                f"floor: calls x {latency_ms} ÷ {CONCURRENCY}",
                "mean call ms",
                "in WHMCS calls",
                "applying",
                "claims",
                "claiming",
                "idle",
            ],
            [
                [
                    p.backend,
                    p.label,
                    f"{p.seconds:.1f}",
                    f"{p.floor_s:.1f}",
                    f"{p.mean_call_ms:.1f}",
                    f"{p.whmcs_s:.1f}",
                    f"{p.apply_s:.1f}",
                    str(p.claims),
                    f"{p.claim_s:.2f}",
                    f"{p.idle_s:.1f}",
                ]
                for p in syncs
            ],
        ),
    ]
