"""The account every list request reads: set up, its active users (50 in the stand-in's own
workspace) and pending invitations (20), all through the core, with what that owes people
delivered (with the workspace's own token) so nothing is left to send."""

from sqlalchemy import Engine, func, select
from sqlmodel import col

from bench.config import ACCOUNT_NAME, BENCH_TEAM, CHANNEL, OWNER_EMAIL, Team
from bot.core import BillingAccess, utc_now
from bot.slack.client import OneWorkspace, make_client
from bot.slack.delivery import Deliverer
from storage.tables import Outbox
from storage.unit_of_work import unit_of_work_factory

PERMISSIONS = ["invoices", "quotes", "tickets"]


def core_for(engine: Engine) -> BillingAccess:
    return BillingAccess.create(unit_of_work_factory(engine))


def deliverer_for(core: BillingAccess, api_url: str, token: str = BENCH_TEAM.token) -> Deliverer:
    """The bot's own Deliverer and Web API client, pointed at the stand-in Slack."""
    return Deliverer(core, OneWorkspace(make_client(api_url, token)), utc_now)


def set_up_account(engine: Engine, team: Team = BENCH_TEAM) -> BillingAccess:
    """The bench's account, set up by its owner; the core on ``engine`` to go on with."""
    core = core_for(engine)
    core.accounts.setup(
        team.id,
        ACCOUNT_NAME,
        actor=team.owner,
        actor_email=OWNER_EMAIL,
        actor_is_workspace_admin=True,
        channel_id=CHANNEL,
    )
    return core


def seed_account(engine: Engine, api_url: str, team: Team = BENCH_TEAM) -> None:
    core = set_up_account(engine, team)
    people = [team.member(n) for n in range(team.active_users)]
    invited = core.invitations.invite(
        team.id, actor=team.owner, emails=[email for _, email in people], permissions=PERMISSIONS
    )
    for (user_id, email), invitation in zip(people, invited.invited, strict=True):
        assert invitation.id is not None
        core.invitations.accept(team.id, invitation.id, user_id=user_id, user_email=email)
    pending = [f"pending{n:03d}@bench.example.com" for n in range(team.pending_invitations)]
    core.invitations.invite(team.id, actor=team.owner, emails=pending, permissions=PERMISSIONS)
    deliverer_for(core, api_url, team.token).deliver_all()
    with engine.connect() as connection:
        undone = connection.scalar(
            select(func.count()).select_from(Outbox).where(col(Outbox.done_at).is_(None))
        )
    if undone:
        raise RuntimeError(f"{undone} seeded messages could not be delivered to the stand-in Slack")
