"""Many workspaces (part 7): 100 and 10,000 workspaces installed through OAuth, an account each,
1% of them (100) with a reminder due.

Measured, with the installation store counting its reads: authorising requests from 1,000 of
the workspaces twice (the second time must read nothing: the installation is cached), and one
``sweep_and_deliver`` posting the due reminders and nudges to the stand-in Slack with each
workspace's own token (it must read only the due workspaces' installations, and take about as
long with 10,000 installed as with 100).
"""

import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cryptography.fernet import Fernet
from slack_bolt import BoltContext
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.token_rotation import TokenRotator
from sqlalchemy import Connection, Engine, insert

from bench.config import Sizes, Team, invitee, sweep_channel, workspace
from bench.databases import Backend, fresh_database
from bench.seed import PERMISSIONS, core_for
from bot.core import utc_now
from bot.scheduler import sweep_and_deliver
from bot.slack.delivery import Deliverer
from bot.slack.installations import DatabaseInstallationStore, details_of, sealed_tokens
from bot.slack.workspaces import InstalledWorkspaces
from storage.secrets import Cipher
from storage.tables import Account, Invitation, InvitationStatus, SlackInstallation
from storage.unit_of_work import unit_of_work_factory
from tests.slack_stub import SlackStub

AUTHORISED = 1_000
CHUNK = 5_000
CLIENT_ID = "1.2"
CLIENT_SECRET = "bench-client-secret"
PUBLIC_URL = "http://127.0.0.1"


@dataclass(frozen=True)
class WorkspacesRun:
    backend: str
    installed: int
    due: int
    authorised: int
    reads_first: int
    """Installation reads while authorising ``authorised`` workspaces' requests the first time."""
    reads_again: int
    """... and the second time (cached: none)."""
    authorise_us: float
    """Authorising one request from the cache, in microseconds."""
    sweep_reads: int
    sweep_seconds: float
    posts: int


class _CountingStore(DatabaseInstallationStore):
    reads = 0

    def find_bot(self, **where: Any) -> Bot | None:
        self.reads += 1
        return super().find_bot(**where)


def measure_workspaces(sizes: Sizes, backends: list[Backend]) -> list[WorkspacesRun]:
    with SlackStub() as stub:
        return [
            _measure(backend, installed, sizes.workspaces_due, stub)
            for backend in backends
            for installed in sizes.workspaces
        ]


def _measure(backend: Backend, installed: int, due: int, stub: SlackStub) -> WorkspacesRun:
    engine = fresh_database(backend)
    try:
        cipher = Cipher([new_key()])
        now = utc_now()
        _install(engine, cipher, installed, due, stub, now)
        core = core_for(engine)
        store = _CountingStore(unit_of_work_factory(engine), cipher, utc_now)
        rotator = TokenRotator(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, client=WebClient())
        workspaces = InstalledWorkspaces(
            store, rotator, api_url=stub.api_url, on_token_lost=core.workspaces.pause
        )
        authorised = _authorise(workspaces, store, installed, due)
        stub.reset_calls()
        store.reads = 0
        started = time.perf_counter()
        sweep_and_deliver(core, Deliverer(core, workspaces, utc_now))
        seconds = time.perf_counter() - started
        posts = _check_posts(stub, due)
        return WorkspacesRun(backend.name, installed, due, *authorised, store.reads, seconds, posts)
    finally:
        engine.dispose()


def new_key() -> str:
    """A ``SECRETS_KEY`` of one key."""
    return Fernet.generate_key().decode()


def oauth_environment(secrets_key: str) -> dict[str, str]:
    """The bot's settings to serve the workspaces installed with ``secrets_key``'s cipher."""
    return {
        "SLACK_CLIENT_ID": CLIENT_ID,
        "SLACK_CLIENT_SECRET": CLIENT_SECRET,
        "SECRETS_KEY": secrets_key,
        "PUBLIC_URL": PUBLIC_URL,
    }


def install(connection: Connection, cipher: Cipher, teams: list[Team], now: datetime) -> None:
    """``teams`` installed by their owners, their tokens sealed as the store seals them."""
    connection.execute(insert(SlackInstallation), [_row(cipher, team, now) for team in teams])


def _install(
    engine: Engine, cipher: Cipher, installed: int, due: int, stub: SlackStub, now: datetime
) -> None:
    """Each workspace installed (its tokens sealed as the store seals them), with an account
    and a pending invitation; the first ``due`` of them have its reminder due, and are set up
    in the stand-in Slack with their token, channel and invitee."""
    for start in range(0, installed, CHUNK):
        numbers = range(start, min(installed, start + CHUNK))
        with engine.begin() as connection:
            install(connection, cipher, [workspace(n) for n in numbers], now)
            connection.execute(insert(Account), [_account(n, now) for n in numbers])
            connection.execute(insert(Invitation), [_invitation(n, due, now) for n in numbers])
    for n in range(due):
        team = workspace(n)
        stub.add_workspace(team.id, f"Workspace {n}", bot_token=team.token)
        stub.add_channel(sweep_channel(n), "billing", bot_is_member=True, workspace=team.id)
        user_id, email = invitee(n)
        stub.add_user(user_id, email, workspace=team.id)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")


def _row(cipher: Cipher, team: Team, now: datetime) -> dict[str, Any]:
    installation = Installation(
        team_id=team.id, bot_token=team.token, bot_id="B0BOT0001", bot_user_id="U0BOT0001",
        bot_scopes="chat:write,commands", user_id=team.owner,
    )  # fmt: skip
    return {
        "workspace": team.id,
        "team_id": team.id,
        "is_enterprise_install": False,
        "details": details_of(installation),
        "tokens": sealed_tokens(cipher, installation),
        "installed_at": now,
    }


def _account(n: int, now: datetime) -> dict[str, Any]:
    return {
        "id": n + 1,
        "team_id": workspace(n).id,
        "name": f"Workspace {n}",
        "owner_user_id": workspace(n).owner,
        "reminders_channel_id": sweep_channel(n),
        "created_at": now,
    }


def _invitation(n: int, due: int, now: datetime) -> dict[str, Any]:
    user_id, email = invitee(n)
    return {
        "account_id": n + 1,
        "email": email,
        "permissions": PERMISSIONS,
        "status": InvitationStatus.PENDING,
        "invited_by_user_id": workspace(n).owner,
        "invitee_user_id": user_id,
        "created_at": now - timedelta(days=2),
        "sent_at": now - timedelta(days=2),
        "expires_at": now + timedelta(days=5),
        "next_reminder_at": now + (timedelta(minutes=-1) if n < due else timedelta(hours=12)),
    }


def _authorise(
    workspaces: InstalledWorkspaces, store: _CountingStore, installed: int, due: int
) -> tuple[int, int, int, float]:
    """Authorise requests from workspaces that have nothing due, twice; the reads each time."""
    pool = list(range(due, installed)) or [0]
    chosen = random.Random(12).sample(pool, min(AUTHORISED, len(pool)))
    context = BoltContext()

    def authorise_all() -> None:
        for team in map(workspace, chosen):
            found = workspaces(
                context=context, enterprise_id=None, team_id=team.id, user_id=team.owner
            )
            if found is None or found.bot_token != team.token:
                raise RuntimeError(f"workspaces: {team.id} was not authorised with its token")

    authorise_all()
    first = store.reads
    started = time.perf_counter()
    authorise_all()
    per_request_us = (time.perf_counter() - started) / len(chosen) * 1e6
    return len(chosen), first, store.reads - first, per_request_us


def _check_posts(stub: SlackStub, due: int) -> int:
    """A reminder and a nudge per due workspace, each with that workspace's token."""
    posts = stub.calls_to("chat.postMessage")
    wrong = [c for c in posts if not c.ok or c.token != workspace(int(str(c.team)[3:])).token]
    if len(posts) != 2 * due or wrong:
        raise RuntimeError(f"workspaces: {len(posts)} posts for {due} due, {len(wrong)} refused")
    return len(posts)


def section(runs: list[WorkspacesRun]) -> str:
    """The results as a Markdown section."""
    header = (
        "| database | installed | due | authorised | reads, first | reads, again | "
        "µs per request | sweep reads | sweep s | posts |\n"
        "|---|---|---|---|---|---|---|---|---|---|\n"
    )
    rows = "".join(
        f"| {r.backend} | {r.installed:,} | {r.due:,} | {r.authorised:,} | {r.reads_first:,} | "
        f"{r.reads_again:,} | {r.authorise_us:.1f} | {r.sweep_reads:,} | "
        f"{r.sweep_seconds:.2f} | {r.posts:,} |\n"
        for r in runs
    )
    return "## Many workspaces (OAuth installs, each workspace's own token)\n\n" + header + rows


def problems(runs: list[WorkspacesRun]) -> list[str]:
    """What breaks the part's promises: cached authorisation, a sweep reading only the due
    workspaces, and a sweep as fast with many installed as with few (within 2x)."""
    found = [
        f"{r.backend}: {r.reads_again} reads authorising cached workspaces again"
        for r in runs
        if r.reads_again
    ]
    found += [
        f"{r.backend}: the sweep read {r.sweep_reads} installations for {r.due} due"
        for r in runs
        if r.sweep_reads > r.due
    ]
    for backend in dict.fromkeys(r.backend for r in runs):
        timed = [r for r in runs if r.backend == backend]
        few, most = timed[0], timed[-1]
        if most.sweep_seconds > 2 * few.sweep_seconds + 0.5:
            found.append(
                f"{backend}: sweep {most.sweep_seconds:.2f} s with {most.installed:,} "
                f"installed, {few.sweep_seconds:.2f} s with {few.installed:,}"
            )
    return found
