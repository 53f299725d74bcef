"""Sync at scale (part 5): connected accounts reconciled with a stand-in WHMCS that answers each
call in 20 ms, through the bot's own ``WhmcsClient`` → ``WhmcsPortal`` → ``PortalSync``, at
most ``WHMCS_MAX_CONCURRENCY`` (4) requests at once.

The accounts are bulk-inserted, each connected to its own WHMCS client and due now; the
stand-in (``bench/whmcs_stub.py``, in a process of its own) holds the matching clients, their
users and contacts. Two passes are timed on each database, each one ``PortalSync.run_due()``,
as the scheduler calls it (it claims ``SYNCS_PER_CLAIM`` accounts at a time until none is
due):

- *first sync*: the accounts know only their owner, so every user and contact is imported;
- *next interval*: every account is due again, and in one in ten the client's owner made four
  changes in the client area meanwhile (a user added, one removed, one's permissions edited,
  a contact added); the rest are as the bot last saw them.

Subclasses that only add timers around ``WhmcsPortal``'s reads and ``ReconcileService``'s
``claim_due`` and ``apply`` say where the time went.
"""

import dataclasses
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import IO, Any, Self

from pydantic import SecretStr
from sqlalchemy import Engine, func, insert, select, update
from sqlmodel import col

from bench import whmcs_stub
from bench.config import Sizes
from bench.databases import Backend, fresh_database
from bench.results import Verdict
from bench.seed import core_for
from bench.servers import child_environment
from bot.core import utc_now
from bot.core.context import CoreContext
from bot.core.permissions import ALL_KEYS
from bot.core.portal import PortalClient, PortalContact
from bot.core.portal_changes import PORTAL_ACTOR
from bot.core.reconcile import (
    SYNCS_PER_CLAIM,
    Claim,
    PortalView,
    ReconcileService,
)
from bot.whmcs.client import WhmcsClient
from bot.whmcs.config import DEFAULT_MAX_CONCURRENCY, WhmcsConfig
from bot.whmcs.portal import WhmcsPortal
from bot.whmcs.sync import PortalSync
from storage.tables import (
    Account,
    AuditEvent,
    Contact,
    Member,
    MemberRole,
    MemberStatus,
    Outbox,
    OutboxKind,
)
from storage.unit_of_work import unit_of_work_factory

SYNC_EVERY = timedelta(minutes=5)
"""``WHMCS_SYNC_EVERY``'s default: every account is to be reconciled within it."""
CONCURRENCY = DEFAULT_MAX_CONCURRENCY
"""``WHMCS_MAX_CONCURRENCY``'s default."""
LATENCY_S = 0.02
"""How long the stand-in WHMCS takes to answer each call."""
CHANGED_EVERY = 10
"""Before the second pass, one client in this many is changed in the client area."""
FIRST = "first sync (import)"
NEXT = f"next interval (1 in {CHANGED_EVERY} changed)"
CHUNK = 5_000


@dataclass(frozen=True)
class PortalSyncPass:
    backend: str
    label: str
    accounts: int
    users: int
    """Users of each client besides its owner."""
    contacts: int
    claims: int
    """Claims (``claim_due``) that found accounts due."""
    seconds: float
    calls: int
    """Calls the stand-in WHMCS received during the pass."""
    by_action: dict[str, int]
    max_concurrent: int
    connections: int
    """TCP connections the stand-in accepted during the pass."""
    changes: int
    """Audit events recorded with the actor "billing portal"."""
    whmcs_s: float
    """Thread-seconds spent in WHMCS calls (sending, waiting, reading the answer)."""
    apply_s: float
    """Thread-seconds spent applying what WHMCS said to the database (``apply``)."""
    claim_s: float
    """Seconds spent claiming (``claim_due``), while no WHMCS call is in flight."""

    @property
    def per_second(self) -> float:
        return self.accounts / self.seconds

    @property
    def fits(self) -> bool:
        return self.seconds <= SYNC_EVERY.total_seconds()

    @property
    def floor_s(self) -> float:
        """The least time the calls can take: each 20 ms, four at a time."""
        return self.calls * LATENCY_S / CONCURRENCY

    @property
    def mean_call_ms(self) -> float:
        return 1000 * self.whmcs_s / self.calls if self.calls else 0.0

    @property
    def idle_s(self) -> float:
        """Thread-seconds the sync's threads had nothing to do (claims, and the end of each
        claim's accounts, when fewer remain than threads)."""
        return max(0.0, CONCURRENCY * self.seconds - self.whmcs_s - self.apply_s)


def measure_portal_syncs(sizes: Sizes, backends: list[Backend]) -> list[PortalSyncPass]:
    return [p for backend in backends for p in _measure(backend, sizes)]


def _measure(backend: Backend, sizes: Sizes) -> list[PortalSyncPass]:
    if sizes.sync_users < 2:
        raise ValueError("the changes made between passes need two users per client")
    engine = fresh_database(backend)
    try:
        with WhmcsStubProcess(sizes) as stub:
            _insert_accounts(engine, stub.clients)
            if engine.dialect.name == "postgresql":
                with engine.begin() as connection:
                    connection.exec_driver_sql("ANALYZE")
            config = WhmcsConfig(
                api_url=stub.api_url,
                identifier=SecretStr(whmcs_stub.IDENTIFIER),
                secret=SecretStr(whmcs_stub.SECRET),
                sync_every=SYNC_EVERY,
                max_concurrency=CONCURRENCY,
            )
            timers = _Timers()
            with WhmcsClient(config) as client:
                portal = _TimedPortal(client, timers)
                core = dataclasses.replace(
                    core_for(engine), reconcile=_TimedReconcile(engine, timers)
                )
                sync = PortalSync(core, portal, concurrency=CONCURRENCY)
                try:
                    first = _timed_pass(backend, FIRST, sizes, engine, stub, sync, timers)
                    _check_first(engine, sizes, first)
                    changed = stub.ask("change", CHANGED_EVERY)["changed"]
                    _due_now(engine)
                    following = _timed_pass(backend, NEXT, sizes, engine, stub, sync, timers)
                    _check_next(engine, sizes, following, changed)
                finally:
                    sync.close()
    finally:
        engine.dispose()
    return [first, following]


def _timed_pass(
    backend: Backend,
    label: str,
    sizes: Sizes,
    engine: Engine,
    stub: "WhmcsStubProcess",
    sync: PortalSync,
    timers: "_Timers",
) -> PortalSyncPass:
    stub.ask("reset")
    timers.reset()
    began_at = utc_now()
    started = time.perf_counter()
    synced = sync.run_due()
    seconds = time.perf_counter() - started
    stats = stub.ask("stats")
    if stats["max_concurrent"] > CONCURRENCY:
        raise RuntimeError(
            f"portal sync on {backend.name}: {stats['max_concurrent']} WHMCS requests at once, "
            f"more than the bound of {CONCURRENCY}"
        )
    if stats["refused"]:
        raise RuntimeError(f"portal sync on {backend.name}: WHMCS refused {stats['refused']} calls")
    if synced != sizes.sync_accounts:
        raise RuntimeError(
            f"portal sync on {backend.name}: run_due synced {synced} of {sizes.sync_accounts}"
        )
    _check_all_synced(engine, sizes.sync_accounts, began_at)
    return PortalSyncPass(
        backend=backend.name,
        label=label,
        accounts=sizes.sync_accounts,
        users=sizes.sync_users,
        contacts=sizes.sync_contacts,
        claims=timers.claims,
        seconds=seconds,
        calls=stats["calls"],
        by_action=stats["by_action"],
        max_concurrent=stats["max_concurrent"],
        connections=stats["connections"],
        changes=_count(
            engine,
            select(func.count())
            .select_from(AuditEvent)
            .where(col(AuditEvent.actor_user_id) == PORTAL_ACTOR, col(AuditEvent.at) >= began_at),
        ),
        whmcs_s=timers.seconds["whmcs"],
        apply_s=timers.seconds["apply"],
        claim_s=timers.seconds["claim"],
    )


# Seeding the database


def _insert_accounts(engine: Engine, clients: list[int]) -> None:
    """One account per WHMCS client, connected to it and due now, with its owner."""
    now = utc_now()
    accounts = [
        {
            "team_id": _team(n),
            "name": f"Bench Client {n}",
            "owner_user_id": _owner(n),
            "reminders_channel_id": f"C0W{n:05d}",
            "created_at": now,
            "whmcs_client_id": client_id,
            "portal_sync_due_at": now,
        }
        for n, client_id in enumerate(clients)
    ]
    for start in range(0, len(accounts), CHUNK):
        with engine.begin() as connection:
            connection.execute(insert(Account), accounts[start : start + CHUNK])
    with engine.connect() as connection:
        rows = connection.execute(select(col(Account.team_id), col(Account.id))).all()
    ids = {team_id: account_id for team_id, account_id in rows if account_id is not None}
    owners = [
        {
            "account_id": ids[_team(n)],
            "email": whmcs_stub.client_email(n),
            "slack_user_id": _owner(n),
            "role": MemberRole.OWNER,
            "status": MemberStatus.ACTIVE,
            "permissions": list(ALL_KEYS),
            "created_at": now,
            "updated_at": now,
        }
        for n in range(len(clients))
    ]
    for start in range(0, len(owners), CHUNK):
        with engine.begin() as connection:
            connection.execute(insert(Member), owners[start : start + CHUNK])


def _team(n: int) -> str:
    return f"T0W{n:05d}"


def _owner(n: int) -> str:
    return f"U0W{n:05d}"


def _due_now(engine: Engine) -> None:
    """Every connected account due again, as an interval later."""
    with engine.begin() as connection:
        connection.execute(
            update(Account)
            .where(col(Account.whmcs_client_id).is_not(None))
            .values(portal_sync_due_at=utc_now())
        )


# Checking that the passes did their work


def _count(engine: Engine, query: Any) -> int:
    with engine.connect() as connection:
        return int(connection.scalar(query) or 0)


def _check_all_synced(engine: Engine, accounts: int, began_at: datetime) -> None:
    synced = _count(
        engine,
        select(func.count()).where(col(Account.portal_sync_due_at) > began_at),
    )
    if synced != accounts:
        raise RuntimeError(f"portal sync: {synced} of {accounts} accounts were synced")


def _users(engine: Engine) -> int:
    return _count(
        engine,
        select(func.count()).where(
            col(Member.role) == MemberRole.USER,
            col(Member.status) == MemberStatus.ACTIVE,
            col(Member.whmcs_user_id).is_not(None),
        ),
    )


def _contacts(engine: Engine) -> int:
    return _count(engine, select(func.count()).where(col(Contact.whmcs_contact_id).is_not(None)))


def _news(engine: Engine) -> int:
    return _count(engine, select(func.count()).where(col(Outbox.kind) == OutboxKind.PORTAL_NEWS))


def _check_first(engine: Engine, sizes: Sizes, done: PortalSyncPass) -> None:
    accounts = sizes.sync_accounts
    owners = _count(
        engine,
        select(func.count()).where(
            col(Member.role) == MemberRole.OWNER, col(Member.whmcs_user_id).is_not(None)
        ),
    )
    found = (_users(engine), _contacts(engine), owners, done.changes, _news(engine))
    wanted = (
        accounts * sizes.sync_users,
        accounts * sizes.sync_contacts,
        accounts,
        accounts * (sizes.sync_users + sizes.sync_contacts),
        accounts,
    )
    if found != wanted:
        raise RuntimeError(
            "portal sync, first pass: (users, contacts, owners matched, changes, owners told) "
            f"{found}, expected {wanted}"
        )


def _check_next(engine: Engine, sizes: Sizes, done: PortalSyncPass, changed: int) -> None:
    accounts = sizes.sync_accounts
    found = (_users(engine), _contacts(engine), done.changes, _news(engine))
    wanted = (
        accounts * sizes.sync_users,
        accounts * sizes.sync_contacts + changed,
        changed * whmcs_stub.CHANGES_PER_CLIENT,
        accounts + changed,
    )
    if found != wanted:
        raise RuntimeError(
            "portal sync, next interval: (users, contacts, changes, owners told) "
            f"{found}, expected {wanted}"
        )


# Where the time goes


class _Timers:
    """Seconds spent in each kind of work, summed over threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.seconds: dict[str, float] = {}
        self.claims = 0
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.seconds = {"whmcs": 0.0, "apply": 0.0, "claim": 0.0}
            self.claims = 0

    def claimed(self) -> None:
        with self._lock:
            self.claims += 1

    @contextmanager
    def timing(self, kind: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            spent = time.perf_counter() - started
            with self._lock:
                self.seconds[kind] += spent


class _TimedPortal(WhmcsPortal):
    """``WhmcsPortal``, timing the reads a sync makes."""

    def __init__(self, client: WhmcsClient, timers: _Timers) -> None:
        super().__init__(client)
        self._timers = timers

    def client(self, client_id: int) -> PortalClient:
        with self._timers.timing("whmcs"):
            return super().client(client_id)

    def permissions(self, client_id: int, user_id: int) -> tuple[str, ...]:
        with self._timers.timing("whmcs"):
            return super().permissions(client_id, user_id)

    def contacts(self, client_id: int) -> tuple[PortalContact, ...]:
        with self._timers.timing("whmcs"):
            return super().contacts(client_id)


class _TimedReconcile(ReconcileService):
    """``ReconcileService`` with the bot's defaults, timing its claims and applies."""

    def __init__(self, engine: Engine, timers: _Timers) -> None:
        super().__init__(CoreContext(unit_of_work_factory(engine), utc_now), SYNC_EVERY)
        self._timers = timers

    def claim_due(self, *, limit: int = SYNCS_PER_CLAIM) -> list[Claim]:
        with self._timers.timing("claim"):
            claimed = super().claim_due(limit=limit)
        if claimed:
            self._timers.claimed()
        return claimed

    def apply(self, claim: Claim, view: PortalView) -> list[str]:
        with self._timers.timing("apply"):
            return super().apply(claim, view)


# The stand-in WHMCS's process


class WhmcsStubProcess:
    """``bench.whmcs_stub`` in a child process, holding ``sizes``' clients; ``api_url`` and
    ``clients`` (their ids, in order) once started."""

    def __init__(self, sizes: Sizes) -> None:
        command = [
            sys.executable,
            "-m",
            "bench.whmcs_stub",
            str(sizes.sync_accounts),
            str(sizes.sync_users),
            str(sizes.sync_contacts),
            str(LATENCY_S),
        ]
        self._process = subprocess.Popen(
            command, env=child_environment(), stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )
        started = self._read()
        self.api_url: str = started["api_url"]
        self.clients: list[int] = started["clients"]

    def ask(self, command: str, *args: object) -> dict[str, Any]:
        stdin = self._process.stdin
        assert stdin is not None
        stdin.write((" ".join(map(str, [command, *args])) + "\n").encode())
        stdin.flush()
        answer = self._read()
        if "error" in answer:
            raise RuntimeError(f"the stand-in WHMCS: {answer['error']}")
        return answer

    def _read(self) -> dict[str, Any]:
        stdout: IO[bytes] | None = self._process.stdout
        assert stdout is not None
        line = stdout.readline()
        if not line:
            raise RuntimeError("the stand-in WHMCS stopped")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        assert self._process.stdin is not None
        self._process.stdin.close()
        try:
            self._process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()


def sync_verdicts(passes: list[PortalSyncPass]) -> list[Verdict]:
    """The issue's target for each pass: every account reconciled within one
    ``WHMCS_SYNC_EVERY``, never more than ``WHMCS_MAX_CONCURRENCY`` requests at once."""
    limit = SYNC_EVERY.total_seconds()
    found = []
    for p in passes:
        found += [
            Verdict(
                f"portal sync ({p.backend}), {p.label}: {p.accounts:,} accounts of {p.users} "
                f"users within {limit / 60:g} min",
                f"{p.seconds:.1f} s ({p.seconds / limit:.2f} of the interval)",
                p.fits,
            ),
            Verdict(
                f"portal sync ({p.backend}), {p.label}: at most {CONCURRENCY} WHMCS requests "
                "at once",
                str(p.max_concurrent),
                p.max_concurrent <= CONCURRENCY,
            ),
        ]
    return found
