"""What every part of the benchmark shares: sizes, the fixed Slack identities, the people."""

import os
from dataclasses import dataclass
from pathlib import Path

from tests.slack_stub import TEAM_ID

RESULTS = Path(__file__).with_name("results")
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench"

BOT_TOKEN = "xoxb-bench-token"
SIGNING_SECRET = "bench-signing-secret"
TEAM = TEAM_ID
"""The stand-in Slack's workspace: the bot serves only the team its token belongs to."""
OWNER = "U0OWNER"
OWNER_EMAIL = "owner@bench.example.com"
CHANNEL = "C0BILLING"
ACCOUNT_NAME = "Bench Ltd"
LIST_MARKER = f"Users of {ACCOUNT_NAME}"
"""Text every acknowledgement of ``/billing-invite list`` must carry."""

BOT_WORKERS = 1
"""`billing-bot serve --workers`: its default, one process, as the floor and the peer run."""

ACTIVE_USERS = 50
PENDING_INVITATIONS = 20
MIX_ACTIVE_USERS = 10
"""Active users of each of the mix's workspaces (part 6), besides its owner."""
MIX_PENDING_INVITATIONS = 5
ACK_TIMEOUT_S = 3.0
"""Slack gives up on an acknowledgement after three seconds; later counts as dropped."""


@dataclass(frozen=True)
class Sizes:
    concurrencies: tuple[int, ...]
    seconds: float
    """How long each target is loaded at each concurrency."""
    memory_requests: int
    sweep_totals: tuple[int, ...]
    sweep_due: int
    sweep_accounts: int
    writes: int
    sync_accounts: int
    """Connected accounts reconciled with the stand-in WHMCS (part 5)."""
    sync_users: int
    """Users of each account's WHMCS client besides its owner."""
    sync_contacts: int
    """Contacts of each account's WHMCS client."""
    mix_concurrencies: tuple[int, ...]
    """Concurrencies of the mix (part 6), each target loaded for ``seconds`` at each."""
    mix_requests: int
    """Requests signed for each run of the mix; a run that sends more starts the list again."""
    mix_workspaces: int
    """Workspaces the mix is spread over, each installed through OAuth (DESIGN §10) with an
    account of ``MIX_ACTIVE_USERS`` active users and ``MIX_PENDING_INVITATIONS`` pending."""
    workspaces: tuple[int, ...] = (100, 10_000)
    """Workspaces installed through OAuth, each with an account (part 7)."""
    workspaces_due: int = 100
    """Of them, those with a reminder due when the sweep runs (1% of the most)."""


FULL = Sizes(
    concurrencies=(1, 8, 32),
    seconds=5.0,
    memory_requests=10_000,
    sweep_totals=(10_000, 100_000, 1_000_000),
    sweep_due=1_000,
    sweep_accounts=50,
    writes=2_000,
    sync_accounts=1_000,
    sync_users=20,
    sync_contacts=2,
    mix_concurrencies=(1, 8, 16, 32),
    mix_requests=12_000,
    mix_workspaces=100,
)
SMOKE = Sizes(
    concurrencies=(1, 32),
    seconds=1.0,
    memory_requests=100,
    sweep_totals=(200, 400, 800),
    sweep_due=40,
    sweep_accounts=2,
    writes=20,
    sync_accounts=20,
    sync_users=3,
    sync_contacts=1,
    mix_concurrencies=(1, 8),
    mix_requests=1_000,
    mix_workspaces=3,
    workspaces=(2, 200),
    workspaces_due=2,
)


@dataclass(frozen=True)
class Team:
    """A workspace with an account: its Slack team id, bot token, owner and people."""

    id: str
    token: str
    owner: str
    active_users: int
    pending_invitations: int
    user_prefix: str
    """Its active users' Slack ids are this and a number."""

    def member(self, n: int) -> tuple[str, str]:
        """The Slack user id and email of the account's ``n``-th active user."""
        return f"{self.user_prefix}{n:06d}", f"user{n:06d}@bench.example.com"


BENCH_TEAM = Team(TEAM, BOT_TOKEN, OWNER, ACTIVE_USERS, PENDING_INVITATIONS, "U0M")
"""The stand-in Slack's own workspace, served by ``SLACK_BOT_TOKEN`` (parts 1 to 5)."""


def member(n: int) -> tuple[str, str]:
    """The Slack user id and email of ``BENCH_TEAM``'s ``n``-th active user."""
    return BENCH_TEAM.member(n)


def workspace(n: int) -> Team:
    """The ``n``-th workspace installed through OAuth (parts 6 and 7), its users its own."""
    team_id = f"T0W{n:06d}"
    owner = f"U0W{n:06d}"
    users = MIX_ACTIVE_USERS, MIX_PENDING_INVITATIONS
    return Team(team_id, f"xoxb-{team_id}-bench", owner, *users, f"U0W{n:06d}M")


def invitee(n: int) -> tuple[str, str]:
    """The Slack user id and email of the ``n``-th invitee whose reminder is due."""
    return f"U0I{n:06d}", f"due{n:06d}@bench.example.com"


def loopback_environment() -> dict[str, str]:
    """This environment without proxies (slack_sdk honours them, loopback must stay direct)
    and without the bot's own settings."""
    proxies = {"HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"}
    own = ("SLACK_", "DATABASE_", "REMINDER_", "INVITE_", "BILLING_", "PORT")
    return {
        key: value
        for key, value in os.environ.items()
        if key not in proxies and not key.startswith(own)
    }


def sweep_channel(n: int) -> str:
    """The reminders channel of the sweep benchmark's ``n``-th account."""
    return f"C0S{n:05d}"
