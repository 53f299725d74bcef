"""The results as one PNG: throughput, p99, sweep time, memory and writes."""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.ticker import NullFormatter, StrMethodFormatter

from bench.results import Results


def plot(results: Results, path: Path) -> None:
    figure, axes = plt.subplots(2, 3, figsize=(15, 8.5), layout="constrained")
    rps, p99, sweep = axes[0]
    memory, writes, unused = axes[1]
    figure.delaxes(unused)
    concurrencies = list(results.sizes.concurrencies)
    for target in dict.fromkeys(r.target for r in results.runs):
        runs = [results.run(target, c).result for c in concurrencies]
        rps.plot(concurrencies, [r.rps for r in runs], marker="o", label=target)
        p99.plot(concurrencies, [r.p99_ms for r in runs], marker="o", label=target)
    for ax, title in ((rps, "requests per second"), (p99, "p99 latency (ms)")):
        ax.set(xscale="log", yscale="log", xticks=concurrencies, xlabel="concurrency", title=title)
        ax.set_xticklabels([str(c) for c in concurrencies])
        ax.legend(fontsize="small")
    for backend in dict.fromkeys(s.backend for s in results.sweeps):
        timed = results.sweeps_on(backend)
        sweep.plot([s.total for s in timed], [s.seconds for s in timed], marker="o", label=backend)
    sweep.set(xscale="log", xlabel="invitations in total", title="one sweep (s)", ylim=(0, None))
    sweep.xaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    sweep.xaxis.set_minor_formatter(NullFormatter())
    sweep.legend(fontsize="small")
    names = [m.target for m in results.memory]
    spots = range(len(names))
    memory.bar([x - 0.2 for x in spots], [m.idle_mb for m in results.memory], 0.4, label="idle")
    memory.bar(
        [x + 0.2 for x in spots],
        [m.loaded_mb for m in results.memory],
        0.4,
        label=f"after {results.sizes.memory_requests:,} requests",
    )
    memory.set(xticks=list(spots), title="resident memory (MB)")
    memory.set_xticklabels(names)
    memory.legend(fontsize="small")
    writes.bar([w.backend for w in results.writes], [w.per_second for w in results.writes])
    writes.set(title="invitations created per second")
    figure.suptitle(f"Billing Access for Slack: benchmark ({results.mode})")
    figure.savefig(path, dpi=100)
    plt.close(figure)
