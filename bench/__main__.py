"""``python -m bench``: every benchmark, a results table, bench/results/{results.md,plot.png}.

``--smoke`` runs tiny sizes; either way the exit status is non-zero when something broke:
an error, or a request that was not acknowledged.
"""

import argparse
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from bench.config import DEFAULT_POSTGRES_URL, FULL, RESULTS, SMOKE, Sizes
from bench.databases import Backend, backends
from bench.load import generator
from bench.mix import MixResults, measure_mix
from bench.plot import plot
from bench.portal_sync import measure_portal_syncs
from bench.report import render, render_mix
from bench.results import Results
from bench.servers import StubProcess
from bench.serving import measure_serving
from bench.sweep import measure_sweeps
from bench.workspaces import measure_workspaces, problems, section
from bench.writes import measure_writes


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, for CI")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL),
        help="a PostgreSQL database of the benchmark's own: its public schema is dropped "
        "(default: $BENCH_POSTGRES_URL, else %(default)s)",
    )
    parser.add_argument("--sqlite-only", action="store_true", help="leave PostgreSQL out")
    parser.add_argument("--mix-only", action="store_true", help="only part 6, the mix")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = parse(argv)
    sizes = SMOKE if arguments.smoke else FULL
    logs = RESULTS / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    postgres_url = None if arguments.sqlite_only else arguments.postgres_url
    mode = "smoke" if arguments.smoke else "full"
    if arguments.mix_only:
        return _mix_only(mode, sizes, postgres_url, logs)
    with (
        tempfile.TemporaryDirectory() as scratch,
        StubProcess(sizes.sweep_due, sizes.sweep_accounts, sizes.mix_workspaces) as stub,
    ):
        chosen = backends(Path(scratch), postgres_url)
        _progress(
            f"serving: {len(sizes.concurrencies)} concurrencies, {generator()} (logs in {logs})"
        )
        runs, memory = measure_serving(sizes, chosen, stub, logs)
        mix = _mix(sizes, chosen, stub, logs)
        _progress("writes")
        writes = measure_writes(sizes.writes, chosen)
        _progress("sweeps")
        sweeps = measure_sweeps(sizes, chosen, stub.api_url)
        _progress(f"portal sync: {sizes.sync_accounts:,} accounts, two passes on each database")
        syncs = measure_portal_syncs(sizes, chosen)
        _progress(f"many workspaces: {', '.join(f'{n:,}' for n in sizes.workspaces)} installed")
        spaces = measure_workspaces(sizes, chosen)
    results = Results(mode, generator(), sizes, runs, memory, sweeps, writes)
    markdown = render(results, syncs, mix) + "\n" + section(spaces)
    print(markdown)
    (RESULTS / "results.md").write_text(markdown)
    plot(results, RESULTS / "plot.png")
    _progress(f"wrote {RESULTS / 'results.md'} and {RESULTS / 'plot.png'}")
    return _status(results.dropped + mix.dropped, problems(spaces))


def _mix(sizes: Sizes, chosen: list[Backend], stub: StubProcess, logs: Path) -> MixResults:
    _progress(f"the mix: {len(sizes.mix_concurrencies)} concurrencies, python client")
    return measure_mix(sizes, chosen, stub, logs)


def _mix_only(mode: str, sizes: Sizes, postgres_url: str | None, logs: Path) -> int:
    with tempfile.TemporaryDirectory() as scratch, StubProcess(0, 0, sizes.mix_workspaces) as stub:
        mix = _mix(sizes, backends(Path(scratch), postgres_url), stub, logs)
    markdown = render_mix(mode, mix)
    print(markdown)
    (RESULTS / "results.md").write_text(markdown)
    _progress(f"wrote {RESULTS / 'results.md'}")
    return _status(mix.dropped)


def _status(dropped: int, failures: Sequence[str] = ()) -> int:
    if dropped:
        _progress(f"FAILED: {dropped} requests were not acknowledged")
    for failure in failures:
        _progress(f"FAILED: {failure}")
    return 1 if dropped or failures else 0


def _progress(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
