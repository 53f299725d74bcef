"""Where the milliseconds of each kind of request go: ``python -m bench.profile_mix``.

The bot is built in this process as ``billing-bot serve`` builds it, on a freshly seeded
database, with its Web API client at the stand-in Slack (in a process of its own). Each kind
of the mix is dispatched through Bolt ``--requests`` times, one at a time, under pyinstrument:
first the request until its acknowledgement, then the work it left for after (``Deps.later``,
``after_change``: deliveries, App Home publishes, modals opened), run on this thread, so each
profile is one kind's alone, without the contention of a load. Writes a summary table, and a
pyinstrument HTML page (its call tree and flame graph) and text call tree per database, kind
and phase in ``bench/results/profiles/``. Needs ``pyinstrument`` (the ``bench`` extra).
"""

import argparse
import functools
import os
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyinstrument import Profiler
from pyinstrument.frame import Frame
from slack_bolt import BoltRequest

from bench.config import DEFAULT_POSTGRES_URL, RESULTS, SIGNING_SECRET
from bench.databases import Backend, backends, fresh_database
from bench.markdown import table
from bench.mix import seed_workspaces
from bench.mix_requests import KINDS, Body, Kind, mix_bodies
from bench.servers import StubProcess
from bench.workspaces import new_key, oauth_environment
from bot.app import create_app
from bot.settings import load_settings

INTERVAL_S = 0.0002
CATEGORIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("JSON", ("/json/",)),
    ("database driver", ("sqlite3", "/psycopg/", "psycopg_")),
    ("SQLAlchemy/SQLModel", ("/sqlalchemy/", "/sqlmodel/")),
    ("Web API calls", ("/slack_sdk/", "/urllib/", "/http/client", "/socket.py", "/ssl.py")),
    ("Bolt", ("/slack_bolt/",)),
    ("Block Kit (bot.blocks)", ("/bot/blocks/",)),
    ("bot and storage", ("/bot/", "/storage/")),
)
"""A sample counts for the innermost frame that names one of these (so JSON inside the Web
API client counts as JSON); the rest is "other"."""
OTHER = "other"


class Deferred(Executor):
    """The bot's background pool, holding what it is given until ``run_all``."""

    def __init__(self) -> None:
        self.queue: list[Callable[[], object]] = []

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        self.queue.append(lambda: fn(*args, **kwargs))
        done: Future[Any] = Future()
        done.set_result(None)
        return done

    def run_all(self) -> None:
        while self.queue:
            self.queue.pop(0)()


@dataclass
class Phase:
    """One phase (acknowledgement, or the work after it) of one kind's requests."""

    profiler: Profiler = field(default_factory=lambda: Profiler(interval=INTERVAL_S))
    seconds: float = 0.0

    def run(self, work: Callable[[], object]) -> None:
        self.profiler.start()
        started = time.perf_counter()
        try:
            work()
        finally:
            self.seconds += time.perf_counter() - started
            self.profiler.stop()

    def categories(self) -> dict[str, float]:
        session = self.profiler.last_session
        found: dict[str, float] = defaultdict(float)
        root = session.root_frame() if session is not None else None
        if root is not None:
            _attribute(root, [], found)
        return found


@dataclass
class Profiled:
    backend: str
    kind: Kind
    requests: int
    ack: Phase
    after: Phase


def _attribute(frame: Frame, stack: list[str], found: dict[str, float]) -> None:
    path = frame.file_path or ""
    stack.append(path)
    found[_category(stack)] += frame.time - sum(child.time for child in frame.children)
    for child in frame.children:
        _attribute(child, stack, found)
    stack.pop()


def _category(stack: list[str]) -> str:
    for path in reversed(stack):
        for name, needles in CATEGORIES:
            if any(needle in path for needle in needles):
                return name
    return OTHER


def profile(backend: Backend, stub: StubProcess, requests: int) -> list[Profiled]:
    engine = fresh_database(backend)
    key = new_key()
    seed_workspaces(engine, stub.api_url, 1, key)
    settings = load_settings(
        **oauth_environment(key),
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=stub.api_url,
        DATABASE_URL=backend.url,
    )
    built = create_app(settings, engine=engine)
    deferred = Deferred()
    # The listeners' Deps (frozen) hand their work to this pool instead of the bot's threads.
    object.__setattr__(built.deps, "background", deferred)
    app = built.app
    by_kind: dict[str, list[Body]] = {}
    # enough that the rarest kind (1 in 100) has its share after the revokes begin
    for kind, sent in mix_bodies(requests * 100 + 600, "p", stub.response_url, 1):
        by_kind.setdefault(kind.name, []).append(sent)
    found = []
    for kind in KINDS:
        ack, after = Phase(), Phase()
        bodies = by_kind[kind.name][:requests]
        for body, content_type in bodies:
            request = BoltRequest(body=body, headers={"content-type": [content_type]})
            ack.run(functools.partial(app.dispatch, request))
            after.run(deferred.run_all)
        found.append(Profiled(backend.name, kind, len(bodies), ack, after))
    engine.dispose()
    return found


def _shares(phase: Phase) -> str:
    categories = phase.categories()
    total = sum(categories.values()) or 1.0
    top = sorted(categories.items(), key=lambda item: -item[1])[:3]
    return ", ".join(f"{name} {seconds / total:.0%}" for name, seconds in top)


def summary(found: list[Profiled]) -> str:
    rows = [
        [
            p.backend,
            p.kind.name,
            f"{p.ack.seconds / p.requests * 1000:.1f}",
            _shares(p.ack),
            f"{p.after.seconds / p.requests * 1000:.1f}",
            _shares(p.after),
        ]
        for p in found
    ]
    header = ["database", "kind", "ack ms", "where (ack)", "after ms", "where (after)"]
    return table(header, rows)


def write_pages(found: list[Profiled], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for p in found:
        name = f"{p.backend}-{p.kind.name}".lower().replace(" ", "-").replace(":", "")
        for phase, label in ((p.ack, "ack"), (p.after, "after")):
            safe = "".join(c for c in name if c.isalnum() or c in "-()")
            (folder / f"{safe}-{label}.html").write_text(phase.profiler.output_html())
            text = phase.profiler.output_text(color=False, time="percent_of_total")
            (folder / f"{safe}-{label}.txt").write_text(text)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile_mix", description=__doc__)
    parser.add_argument("--requests", type=int, default=50, help="of each kind (default 50)")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL),
        help="a PostgreSQL database of the benchmark's own: its public schema is dropped",
    )
    parser.add_argument("--sqlite-only", action="store_true", help="leave PostgreSQL out")
    arguments = parser.parse_args(argv)
    postgres_url = None if arguments.sqlite_only else arguments.postgres_url
    found = []
    with tempfile.TemporaryDirectory() as scratch, StubProcess(0, 0, 1) as stub:
        for backend in backends(Path(scratch), postgres_url):
            found += profile(backend, stub, arguments.requests)
    folder = RESULTS / "profiles"
    write_pages(found, folder)
    markdown = summary(found)
    (folder / "summary.md").write_text(markdown + "\n")
    print(markdown)
    print(f"bench: wrote {folder}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
