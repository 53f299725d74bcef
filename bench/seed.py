"""The account every list request reads: set up, 50 active users and 20 pending invitations,
all through the core, with what that owes people delivered so nothing is left to send."""

from sqlalchemy import Engine, func, select
from sqlmodel import col

from bench.config import (
    ACCOUNT_NAME,
    ACTIVE_USERS,
    BOT_TOKEN,
    CHANNEL,
    OWNER,
    OWNER_EMAIL,
    PENDING_INVITATIONS,
    TEAM,
    member,
)
from bot.core import BillingAccess, utc_now
from bot.slack.client import OneWorkspace, make_client
from bot.slack.delivery import Deliverer
from storage.tables import Outbox
from storage.unit_of_work import unit_of_work_factory

PERMISSIONS = ["invoices", "quotes", "tickets"]


def core_for(engine: Engine) -> BillingAccess:
    return BillingAccess.create(unit_of_work_factory(engine))


def deliverer_for(core: BillingAccess, api_url: str) -> Deliverer:
    """The bot's own Deliverer and Web API client, pointed at the stand-in Slack."""
    return Deliverer(core, OneWorkspace(make_client(api_url, BOT_TOKEN)), utc_now)


def set_up_account(engine: Engine, team: str = TEAM) -> BillingAccess:
    """The bench's account, set up by its owner; the core on ``engine`` to go on with."""
    core = core_for(engine)
    core.accounts.setup(
        team,
        ACCOUNT_NAME,
        actor=OWNER,
        actor_email=OWNER_EMAIL,
        actor_is_workspace_admin=True,
        channel_id=CHANNEL,
    )
    return core


def seed_account(engine: Engine, api_url: str, team: str = TEAM) -> None:
    core = set_up_account(engine, team)
    people = [member(n) for n in range(ACTIVE_USERS)]
    invited = core.invitations.invite(
        team, actor=OWNER, emails=[email for _, email in people], permissions=PERMISSIONS
    )
    for (user_id, email), invitation in zip(people, invited.invited, strict=True):
        assert invitation.id is not None
        core.invitations.accept(team, invitation.id, user_id=user_id, user_email=email)
    pending = [f"pending{n:03d}@bench.example.com" for n in range(PENDING_INVITATIONS)]
    core.invitations.invite(team, actor=OWNER, emails=pending, permissions=PERMISSIONS)
    deliverer_for(core, api_url).deliver_all()
    with engine.connect() as connection:
        undone = connection.scalar(
            select(func.count()).select_from(Outbox).where(col(Outbox.done_at).is_(None))
        )
    if undone:
        raise RuntimeError(f"{undone} seeded messages could not be delivered to the stand-in Slack")
