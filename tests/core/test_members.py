"""Changing permissions, removing access, and re-inviting after removal."""

import pytest

from bot.core import BillingAccess
from bot.core.errors import InvalidPermissions, NotAuthorized, NotFound
from bot.core.permissions import ALL_KEYS
from tests.conftest import OWNER, OWNER_EMAIL, TEAM
from tests.core.helpers import actions, add_user, invite, last_event

ANA = "ana@example.com"


def test_owner_sets_exactly_the_chosen_permissions(billing: BillingAccess) -> None:
    add_user(billing, ANA, "U0ANA", ["invoices", "quotes", "tickets"])
    change = billing.members.set_permissions(
        TEAM, actor=OWNER, email="ANA@example.com", permissions=["domains", "invoices"]
    )
    assert change.changed and change.before == ("invoices", "quotes", "tickets")
    assert billing.members.access_for(TEAM, ANA).permissions == ("domains", "invoices")
    event = last_event(billing)
    assert (event.action, event.target, event.permissions_before, event.permissions_after) == (
        "permissions.changed",
        ANA,
        ["invoices", "quotes", "tickets"],
        ["domains", "invoices"],
    )


def test_saving_the_same_permissions_records_nothing(billing: BillingAccess) -> None:
    add_user(billing, ANA, "U0ANA", ["invoices"])
    trail = actions(billing)
    change = billing.members.set_permissions(TEAM, actor=OWNER, email=ANA, permissions=["invoices"])
    assert not change.changed
    assert actions(billing) == trail


def test_the_owner_cannot_be_edited_or_removed(billing: BillingAccess) -> None:
    with pytest.raises(NotAuthorized, match="owner always holds every permission"):
        billing.members.set_permissions(
            TEAM, actor=OWNER, email=OWNER_EMAIL, permissions=["invoices"]
        )
    with pytest.raises(NotAuthorized, match="cannot be removed"):
        billing.members.remove_access(TEAM, actor=OWNER, email=OWNER_EMAIL)
    owner = billing.members.access_for(TEAM, OWNER_EMAIL)
    assert (owner.status, owner.permissions) == ("active", ALL_KEYS)
    assert actions(billing) == [("account.created", OWNER_EMAIL)]


def test_a_non_owner_cannot_change_or_remove(billing: BillingAccess) -> None:
    add_user(billing, ANA, "U0ANA", ["invoices"])
    add_user(billing, "bo@example.com", "U0BO", ALL_KEYS)
    trail = actions(billing)
    with pytest.raises(NotAuthorized):
        billing.members.set_permissions(TEAM, actor="U0BO", email=ANA, permissions=ALL_KEYS)
    with pytest.raises(NotAuthorized, match="only the owner of Acme Ltd can remove access"):
        billing.members.remove_access(TEAM, actor="U0BO", email=ANA)
    with pytest.raises(NotAuthorized):
        billing.members.remove_access(TEAM, actor="U0ANA", email=ANA)
    assert billing.members.access_for(TEAM, ANA).permissions == ("invoices",)
    assert actions(billing) == trail


def test_empty_or_unknown_permissions_change_nothing(billing: BillingAccess) -> None:
    add_user(billing, ANA, "U0ANA", ["invoices"])
    for bad in ([], ["root"]):
        with pytest.raises(InvalidPermissions):
            billing.members.set_permissions(TEAM, actor=OWNER, email=ANA, permissions=bad)
    assert billing.members.access_for(TEAM, ANA).permissions == ("invoices",)


def test_remove_access_takes_effect_at_once_and_keeps_history(billing: BillingAccess) -> None:
    add_user(billing, ANA, "U0ANA", ["invoices", "orders"])
    billing.members.remove_access(TEAM, actor=OWNER, email=ANA)
    access = billing.members.access_for(TEAM, ANA)
    assert (access.status, access.permissions) == ("removed", ())
    event = last_event(billing)
    assert (event.action, event.permissions_before, event.permissions_after) == (
        "access.removed",
        ["invoices", "orders"],
        [],
    )
    assert ("invitation.accepted", ANA) in actions(billing)
    with pytest.raises(NotFound):
        billing.members.remove_access(TEAM, actor=OWNER, email=ANA)
    with pytest.raises(NotFound):
        billing.members.set_permissions(TEAM, actor=OWNER, email=ANA, permissions=["orders"])


def test_removal_then_reinvitation_then_acceptance_restores_new_permissions(
    billing: BillingAccess,
) -> None:
    add_user(billing, ANA, "U0ANA", ["invoices", "orders"])
    billing.members.remove_access(TEAM, actor=OWNER, email=ANA)
    invitation = invite(billing, ANA, ["tickets"])
    assert billing.members.access_for(TEAM, ANA).status == "invited"
    assert invitation.id is not None
    billing.invitations.accept(TEAM, invitation.id, user_id="U0ANA", user_email=ANA)
    access = billing.members.access_for(TEAM, ANA)
    assert (access.status, access.permissions) == ("active", ("tickets",))
    assert [a for a, target in actions(billing) if target == ANA] == [
        "invitation.created",
        "invitation.accepted",
        "access.removed",
        "invitation.created",
        "invitation.accepted",
    ]


def test_inviting_someone_with_access_points_to_manage_permissions(billing: BillingAccess) -> None:
    add_user(billing, ANA, "U0ANA", ["invoices"])
    result = billing.invitations.invite(TEAM, actor=OWNER, emails=[ANA], permissions=["orders"])
    assert result.invited == [] and result.already_member == [ANA]


def test_access_api_lists_everyone_the_account_knows(billing: BillingAccess) -> None:
    add_user(billing, ANA, "U0ANA", ["invoices"])
    invite(billing, "bo@example.com", ["orders"])
    everyone = {
        a.email: (a.role, a.status, a.permissions) for a in billing.members.all_access(TEAM)
    }
    assert everyone == {
        OWNER_EMAIL: ("owner", "active", ALL_KEYS),
        ANA: ("user", "active", ("invoices",)),
        "bo@example.com": ("user", "invited", ()),
    }
    with pytest.raises(NotFound, match="no access"):
        billing.members.access_for(TEAM, "stranger@example.com")


def test_only_the_owner_sees_the_overview(billing: BillingAccess) -> None:
    add_user(billing, ANA, "U0ANA", ["invoices"])
    invite(billing, "bo@example.com", ["orders"])
    billing.contacts.add(TEAM, actor=OWNER, email="lee@example.com")
    seen = billing.members.overview(TEAM, actor=OWNER)
    assert seen.account.team_id == TEAM
    assert [m.email for m in seen.members] == [OWNER_EMAIL, ANA]
    assert [i.email for i in seen.pending] == ["bo@example.com"]
    assert [c.email for c in seen.contacts] == ["lee@example.com"]
    with pytest.raises(NotAuthorized):
        billing.members.overview(TEAM, actor="U0ANA")
