"""Creating the workspace's billing account, and its settings."""

from datetime import timedelta

import pytest

from bot.core import BillingAccess, Timings
from bot.core.accounts import AccountExists, ViewerRole
from bot.core.errors import InvalidInput, NotAuthorized, NotFound
from bot.core.permissions import ALL_KEYS
from tests.conftest import OWNER, OWNER_EMAIL, TEAM
from tests.core.helpers import actions, add_user


def test_an_admin_creates_the_account_and_becomes_its_owner(access: BillingAccess) -> None:
    account = access.accounts.setup(
        TEAM,
        "  Acme   Ltd ",
        actor=OWNER,
        actor_email="Owner@Acme.example.com",
        actor_is_workspace_admin=True,
        channel_id="C0BILLING",
    )
    assert (account.name, account.owner_user_id, account.reminders_channel_id) == (
        "Acme Ltd",
        OWNER,
        "C0BILLING",
    )
    owner = access.members.access_for(TEAM, OWNER_EMAIL)
    assert (owner.role, owner.status, owner.permissions) == ("owner", "active", ALL_KEYS)
    assert actions(access) == [("account.created", OWNER_EMAIL)]


def test_someone_who_is_not_a_workspace_admin_cannot_set_up(access: BillingAccess) -> None:
    with pytest.raises(NotAuthorized, match="workspace admin"):
        access.accounts.setup(
            TEAM,
            "Acme",
            actor="U0X",
            actor_email="x@example.com",
            actor_is_workspace_admin=False,
            channel_id="C1",
        )
    assert access.accounts.find(TEAM) is None


def test_someone_from_another_organisation_cannot_set_up(access: BillingAccess) -> None:
    with pytest.raises(NotAuthorized, match=r"another organisation \(T0PARTNER\)"):
        access.accounts.setup(
            TEAM,
            "Acme",
            actor="W0EXT",
            actor_email="ext@partner.example.com",
            actor_is_workspace_admin=True,  # an admin, but of their own workspace
            channel_id="C1",
            actor_organisation="T0PARTNER",
        )
    assert access.accounts.find(TEAM) is None


def test_setting_up_twice_changes_nothing_and_says_so(billing: BillingAccess) -> None:
    with pytest.raises(AccountExists, match="already has a billing account, Acme Ltd"):
        billing.accounts.setup(
            TEAM,
            "Other",
            actor="U0ADMIN",
            actor_email="admin@example.com",
            actor_is_workspace_admin=True,
            channel_id="C2",
        )
    account = billing.accounts.require(TEAM)
    assert (account.name, account.owner_user_id) == ("Acme Ltd", OWNER)
    assert actions(billing) == [("account.created", OWNER_EMAIL)]


@pytest.mark.parametrize("name", ["", "   ", "x" * 201])
def test_a_blank_or_huge_name_is_refused(access: BillingAccess, name: str) -> None:
    with pytest.raises(InvalidInput):
        access.accounts.setup(
            TEAM,
            name,
            actor=OWNER,
            actor_email=OWNER_EMAIL,
            actor_is_workspace_admin=True,
            channel_id="C1",
        )
    assert access.accounts.find(TEAM) is None


def test_a_workspace_without_an_account_is_told_how_to_make_one(access: BillingAccess) -> None:
    with pytest.raises(NotFound, match="setup NAME"):
        access.invitations.invite(
            TEAM, actor=OWNER, emails=["a@example.com"], permissions=["invoices"]
        )


def test_viewer_roles(billing: BillingAccess) -> None:
    add_user(billing, "ana@example.com", "U0ANA", ["invoices"])
    assert billing.accounts.viewer(TEAM, OWNER).role == ViewerRole.OWNER
    assert billing.accounts.viewer(TEAM, "U0ANA").role == ViewerRole.USER
    assert billing.accounts.viewer(TEAM, "U0NOBODY").role == ViewerRole.OUTSIDER
    assert billing.accounts.viewer("T0OTHER", OWNER).account is None


NEW_TIMINGS = Timings(timedelta(hours=2), timedelta(hours=6), timedelta(days=3))


def test_owner_changes_channel_and_timings(billing: BillingAccess) -> None:
    account = billing.accounts.update_settings(
        TEAM, actor=OWNER, reminders_channel_id="C0NEW", timings=NEW_TIMINGS
    )
    assert account.reminders_channel_id == "C0NEW"
    assert billing.accounts.timings(billing.accounts.require(TEAM)) == NEW_TIMINGS
    event = billing.audit.trail(TEAM)[-1]
    assert event.action == "settings.changed"
    assert "expiry=604800s" in event.detail and "expiry=259200s" in event.detail


def test_only_the_owner_changes_settings(billing: BillingAccess) -> None:
    add_user(billing, "ana@example.com", "U0ANA", ["contacts"])
    with pytest.raises(NotAuthorized, match="only the owner"):
        billing.accounts.update_settings(
            TEAM, actor="U0ANA", reminders_channel_id="C0NEW", timings=NEW_TIMINGS
        )
    assert billing.accounts.require(TEAM).reminders_channel_id == "C0BILLING"


@pytest.mark.parametrize(
    ("timings", "channel"),
    [
        (Timings(timedelta(0), timedelta(hours=1), timedelta(days=1)), "C1"),
        (Timings(timedelta(hours=1), timedelta(days=400), timedelta(days=1)), "C1"),
        (NEW_TIMINGS, "  "),
    ],
)
def test_bad_settings_are_refused(billing: BillingAccess, timings: Timings, channel: str) -> None:
    before = len(billing.audit.trail(TEAM))
    with pytest.raises(InvalidInput):
        billing.accounts.update_settings(
            TEAM, actor=OWNER, reminders_channel_id=channel, timings=timings
        )
    assert billing.accounts.require(TEAM).reminders_channel_id == "C0BILLING"
    assert len(billing.audit.trail(TEAM)) == before
