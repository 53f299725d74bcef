"""Sweep scaling (part 2): one ``sweep_and_deliver`` over 10k, 100k and 1M invitations, 1k of
them due, posting to the stand-in Slack.

The due invitations are spread over accounts, each with its own reminders channel, at most
one digest (20 invitations) per channel, so the channel pacer never waits: what is timed is
claiming, rendering and posting. Each due invitee is a workspace member and gets a DM nudge.
"""

import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, insert, select
from sqlmodel import col

from bench.config import OWNER, OWNER_EMAIL, Sizes, invitee, sweep_channel
from bench.databases import Backend, fresh_database
from bench.seed import PERMISSIONS, core_for, deliverer_for
from bot.core import BillingAccess, utc_now
from bot.core.outbox import DIGEST_SIZE
from bot.scheduler import sweep_and_deliver
from storage.tables import Invitation, InvitationStatus, Outbox

CHUNK = 10_000
CLOSED = (
    InvitationStatus.ACCEPTED,
    InvitationStatus.EXPIRED,
    InvitationStatus.REVOKED,
    InvitationStatus.DECLINED,
)


@dataclass(frozen=True)
class Sweep:
    backend: str
    total: int
    due: int
    accounts: int
    posts: int
    seconds: float


def measure_sweeps(sizes: Sizes, backends: list[Backend], api_url: str) -> list[Sweep]:
    return [
        _measure(backend, total, sizes, api_url)
        for backend in backends
        for total in sizes.sweep_totals
    ]


def _measure(backend: Backend, total: int, sizes: Sizes, api_url: str) -> Sweep:
    if sizes.sweep_due > sizes.sweep_accounts * DIGEST_SIZE:
        raise ValueError("more due invitations than one digest per channel can list")
    engine = fresh_database(backend)
    try:
        core = core_for(engine)
        accounts = _set_up_accounts(core, sizes.sweep_accounts)
        now = utc_now()
        _insert_invitations(engine, accounts, total, sizes.sweep_due, now)
        if engine.dialect.name == "postgresql":
            with engine.begin() as connection:
                connection.exec_driver_sql("ANALYZE")
        deliverer = deliverer_for(core, api_url)
        started = time.perf_counter()
        sweep_and_deliver(core, deliverer)
        seconds = time.perf_counter() - started
        posts = _check_delivered(engine, sizes.sweep_due, len(accounts))
    finally:
        engine.dispose()
    return Sweep(backend.name, total, sizes.sweep_due, len(accounts), posts, seconds)


def _set_up_accounts(core: BillingAccess, count: int) -> list[int]:
    ids = []
    for n in range(count):
        account = core.accounts.setup(
            f"T0S{n:05d}",
            f"Sweep {n}",
            actor=OWNER,
            actor_email=OWNER_EMAIL,
            actor_is_workspace_admin=True,
            channel_id=sweep_channel(n),
        )
        assert account.id is not None
        ids.append(account.id)
    return ids


def _insert_invitations(
    engine: Engine, accounts: list[int], total: int, due: int, now: datetime
) -> None:
    for start in range(0, total, CHUNK):
        rows = [_row(n, accounts, due, now) for n in range(start, min(total, start + CHUNK))]
        with engine.begin() as connection:
            connection.execute(insert(Invitation), rows)


def _row(n: int, accounts: list[int], due: int, now: datetime) -> dict[str, Any]:
    """The ``n``-th invitation: due first; then half pending (reminder tomorrow), half closed."""
    row: dict[str, Any] = {
        "account_id": accounts[n % len(accounts)],
        "permissions": PERMISSIONS,
        "invited_by_user_id": OWNER,
        "created_at": now - timedelta(days=2),
        "sent_at": now - timedelta(days=2),
        "expires_at": now + timedelta(days=5),
        "status": InvitationStatus.PENDING,
        "responded_at": None,
        "invitee_user_id": None,
        "next_reminder_at": now + timedelta(hours=12),
    }
    if n < due:
        user_id, email = invitee(n)
        return row | {
            "email": email,
            "invitee_user_id": user_id,
            "next_reminder_at": now - timedelta(minutes=1),
        }
    row["email"] = f"x{n:08d}@bench.example.com"
    if n % 2:
        row |= {
            "status": CLOSED[n // 2 % len(CLOSED)],
            "responded_at": now - timedelta(days=1),
            "next_reminder_at": None,
        }
    return row


def _check_delivered(engine: Engine, due: int, accounts: int) -> int:
    """Every due invitation reminded once and every message sent; returns the posts."""
    with engine.connect() as connection:
        reminded = connection.scalar(
            select(func.count()).where(col(Invitation.reminder_count) == 1)
        )
        sent = connection.scalar(select(func.count()).where(col(Outbox.outcome) == "sent"))
        owed = connection.scalar(select(func.count()).select_from(Outbox))
    digests = sum(-(-len(range(a, due, accounts)) // DIGEST_SIZE) for a in range(accounts))
    if reminded != due or sent != owed or owed != due + digests:
        raise RuntimeError(
            f"sweep: {reminded} of {due} reminded, {sent} of {owed} messages sent, "
            f"{due + digests} expected"
        )
    return sent or 0
