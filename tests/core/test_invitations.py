"""Inviting, resending, revoking, accepting, declining and expiring."""

from datetime import timedelta

import pytest

from bot.core import BillingAccess
from bot.core.errors import (
    InvalidEmail,
    InvalidPermissions,
    InvitationClosed,
    NotAuthorized,
    NotFound,
)
from bot.core.permissions import ALL_KEYS
from storage.tables import InvitationStatus
from tests.conftest import OWNER, OWNER_EMAIL, TEAM, FakeClock
from tests.core.helpers import actions, add_user, invite, last_event

ANA = "ana@example.com"


def test_an_invitation_lists_what_it_will_grant_and_grants_nothing_yet(
    billing: BillingAccess, clock: FakeClock
) -> None:
    invitation = invite(billing, "Ana@Example.com", ["quotes", "invoices"])
    assert (invitation.email, invitation.permissions) == (ANA, ["invoices", "quotes"])
    assert invitation.expires_at == clock() + timedelta(days=7)
    assert invitation.next_reminder_at == clock() + timedelta(hours=24)
    access = billing.members.access_for(TEAM, ANA)
    assert (access.status, access.permissions) == ("invited", ())
    assert access.invitation is not None and access.invitation.permissions == [
        "invoices",
        "quotes",
    ]
    event = last_event(billing)
    assert (event.action, event.actor_user_id, event.target) == ("invitation.created", OWNER, ANA)
    assert event.permissions_after == ["invoices", "quotes"]


def test_bulk_invitation_invites_each_and_reports_the_rest(billing: BillingAccess) -> None:
    add_user(billing, "bo@example.com", "U0BO", ["invoices"])
    invite(billing, "cy@example.com", ["tickets"])
    result = billing.invitations.invite(
        TEAM,
        actor=OWNER,
        permissions=ALL_KEYS,
        emails=[
            "new1@example.com",
            "BO@example.com",
            "cy@example.com",
            "new2@example.com",
            OWNER_EMAIL,
        ],
    )
    assert [i.email for i in result.invited] == ["new1@example.com", "new2@example.com"]
    assert result.already_member == ["bo@example.com", OWNER_EMAIL]
    assert [i.email for i in result.already_pending] == ["cy@example.com"]
    assert all(i.permissions == list(ALL_KEYS) for i in result.invited)


def test_one_bad_email_invites_nobody(billing: BillingAccess) -> None:
    with pytest.raises(InvalidEmail, match="not-an-email"):
        billing.invitations.invite(
            TEAM, actor=OWNER, permissions=["invoices"], emails=["ok@example.com", "not-an-email"]
        )
    assert billing.invitations.pending(TEAM, actor=OWNER) == []
    assert actions(billing) == [("account.created", OWNER_EMAIL)]


@pytest.mark.parametrize("permissions", [[], ["invoices", "superuser"]])
def test_a_bad_permission_set_invites_nobody(
    billing: BillingAccess, permissions: list[str]
) -> None:
    with pytest.raises(InvalidPermissions):
        billing.invitations.invite(TEAM, actor=OWNER, emails=[ANA], permissions=permissions)
    assert billing.invitations.pending(TEAM, actor=OWNER) == []


def test_a_non_owner_cannot_invite(billing: BillingAccess) -> None:
    add_user(billing, "bo@example.com", "U0BO", ALL_KEYS)
    with pytest.raises(NotAuthorized, match="only the owner of Acme Ltd can invite"):
        billing.invitations.invite(TEAM, actor="U0BO", emails=[ANA], permissions=["invoices"])
    with pytest.raises(NotAuthorized):
        billing.invitations.invite(TEAM, actor="U0STRANGER", emails=[ANA], permissions=["invoices"])
    assert [i.email for i in billing.invitations.pending(TEAM, actor=OWNER)] == []


def test_only_the_addressee_can_accept(billing: BillingAccess) -> None:
    invitation = invite(billing, ANA, ["invoices"])
    assert invitation.id is not None
    with pytest.raises(NotAuthorized, match="addressed to someone else"):
        billing.invitations.accept(
            TEAM, invitation.id, user_id="U0EVE", user_email="eve@example.com"
        )
    assert billing.members.access_for(TEAM, ANA).status == "invited"
    response = billing.invitations.accept(
        TEAM, invitation.id, user_id="U0ANA", user_email="ANA@example.com"
    )
    assert response.changed
    access = billing.members.access_for(TEAM, ANA)
    assert (access.status, access.permissions, access.slack_user_id) == (
        "active",
        ("invoices",),
        "U0ANA",
    )
    event = last_event(billing)
    assert (event.action, event.actor_user_id, event.permissions_after) == (
        "invitation.accepted",
        "U0ANA",
        ["invoices"],
    )


def test_accepting_twice_changes_nothing(billing: BillingAccess) -> None:
    invitation = invite(billing, ANA, ["invoices"])
    assert invitation.id is not None
    billing.invitations.accept(TEAM, invitation.id, user_id="U0ANA", user_email=ANA)
    trail = actions(billing)
    again = billing.invitations.accept(TEAM, invitation.id, user_id="U0ANA", user_email=ANA)
    assert not again.changed
    assert again.member is not None and again.member.permissions == ["invoices"]
    assert actions(billing) == trail


def test_an_invitation_of_another_workspace_is_not_found(
    billing: BillingAccess, access: BillingAccess
) -> None:
    access.accounts.setup(
        "T0OTHER",
        "Other",
        actor="U0OTHER",
        actor_email="o@other.example.com",
        actor_is_workspace_admin=True,
        channel_id="C9",
    )
    invitation = invite(billing, ANA, ["invoices"])
    assert invitation.id is not None
    with pytest.raises(NotFound):
        access.invitations.accept("T0OTHER", invitation.id, user_id="U0ANA", user_email=ANA)
    assert billing.members.access_for(TEAM, ANA).status == "invited"


def test_an_expired_invitation_cannot_be_accepted(billing: BillingAccess, clock: FakeClock) -> None:
    invitation = invite(billing, ANA, ["invoices"])
    assert invitation.id is not None
    clock.advance(timedelta(days=7))
    with pytest.raises(InvitationClosed, match="expired"):
        billing.invitations.accept(TEAM, invitation.id, user_id="U0ANA", user_email=ANA)
    assert billing.members.access_for(TEAM, ANA).status == "expired"
    assert actions(billing)[-1] == ("invitation.expired", ANA)


def test_a_revoked_invitation_cannot_be_accepted(billing: BillingAccess) -> None:
    invitation = invite(billing, ANA, ["invoices"])
    assert invitation.id is not None
    billing.invitations.revoke(TEAM, actor=OWNER, email=ANA)
    with pytest.raises(InvitationClosed, match="revoked"):
        billing.invitations.accept(TEAM, invitation.id, user_id="U0ANA", user_email=ANA)
    assert billing.members.access_for(TEAM, ANA).status == "revoked"
    assert actions(billing)[-1] == ("invitation.revoked", ANA)


def test_a_declined_invitation_cannot_be_accepted(billing: BillingAccess) -> None:
    invitation = invite(billing, ANA, ["invoices"])
    assert invitation.id is not None
    declined = billing.invitations.decline(TEAM, invitation.id, user_id="U0ANA", user_email=ANA)
    assert declined.changed and declined.member is None
    with pytest.raises(InvitationClosed, match="declined"):
        billing.invitations.accept(TEAM, invitation.id, user_id="U0ANA", user_email=ANA)
    assert billing.members.access_for(TEAM, ANA).status == "declined"
    assert actions(billing)[-1] == ("invitation.declined", ANA)


def test_only_the_addressee_can_decline(billing: BillingAccess) -> None:
    invitation = invite(billing, ANA, ["invoices"])
    assert invitation.id is not None
    with pytest.raises(NotAuthorized):
        billing.invitations.decline(
            TEAM, invitation.id, user_id="U0EVE", user_email="eve@example.com"
        )
    assert billing.members.access_for(TEAM, ANA).status == "invited"


def test_inviting_a_pending_email_offers_a_resend(billing: BillingAccess) -> None:
    first = invite(billing, ANA, ["invoices"])
    result = billing.invitations.invite(TEAM, actor=OWNER, emails=[ANA], permissions=["orders"])
    assert result.invited == [] and [i.id for i in result.already_pending] == [first.id]


def test_resend_extends_the_expiry(billing: BillingAccess, clock: FakeClock) -> None:
    invite(billing, ANA, ["invoices"])
    clock.advance(timedelta(days=6))
    resent = billing.invitations.resend(TEAM, actor=OWNER, email=ANA)
    assert resent.expires_at == clock() + timedelta(days=7)
    assert resent.next_reminder_at == clock() + timedelta(hours=24)
    clock.advance(timedelta(days=3))
    assert resent.id is not None
    billing.invitations.accept(TEAM, resent.id, user_id="U0ANA", user_email=ANA)
    assert billing.members.access_for(TEAM, ANA).status == "active"
    assert ("invitation.resent", ANA) in actions(billing)


def test_resend_and_revoke_need_a_pending_invitation_and_the_owner(billing: BillingAccess) -> None:
    with pytest.raises(NotFound, match="no pending invitation"):
        billing.invitations.resend(TEAM, actor=OWNER, email=ANA)
    with pytest.raises(NotFound):
        billing.invitations.revoke(TEAM, actor=OWNER, email=ANA)
    invite(billing, ANA, ["invoices"])
    with pytest.raises(NotAuthorized):
        billing.invitations.resend(TEAM, actor="U0ANA", email=ANA)
    with pytest.raises(NotAuthorized):
        billing.invitations.revoke(TEAM, actor="U0ANA", email=ANA)
    assert billing.members.access_for(TEAM, ANA).status == "invited"


def test_an_overdue_invitation_cannot_be_resent_but_can_be_invited_again(
    billing: BillingAccess, clock: FakeClock
) -> None:
    old = invite(billing, ANA, ["invoices"])
    clock.advance(timedelta(days=8))
    with pytest.raises(InvitationClosed, match="Invite them again"):
        billing.invitations.resend(TEAM, actor=OWNER, email=ANA)
    new = invite(billing, ANA, ["orders"])
    assert new.id != old.id and new.status == InvitationStatus.PENDING


def test_per_account_expiry_applies_to_new_invitations(
    billing: BillingAccess, clock: FakeClock
) -> None:
    from bot.core import Timings

    billing.accounts.update_settings(
        TEAM,
        actor=OWNER,
        reminders_channel_id="C0BILLING",
        timings=Timings(timedelta(minutes=5), timedelta(minutes=10), timedelta(hours=1)),
    )
    invitation = invite(billing, ANA, ["invoices"])
    assert invitation.expires_at == clock() + timedelta(hours=1)
    assert invitation.next_reminder_at == clock() + timedelta(minutes=5)


def test_a_newcomer_is_sent_their_open_invitation(billing: BillingAccess, clock: FakeClock) -> None:
    invitation = invite(billing, ANA, ["invoices"])
    assert [i.id for i in billing.invitations.welcome(TEAM, "ANA@example.com")] == [invitation.id]
    assert billing.invitations.welcome("T0OTHER", ANA) == []
    clock.advance(timedelta(days=8))
    assert billing.invitations.welcome(TEAM, ANA) == []


def test_an_addressee_from_another_organisation_is_named_in_the_audit_log(
    billing: BillingAccess,
) -> None:
    invitation = invite(billing, "ext@partner.example.com", ["invoices"])
    assert invitation.id is not None
    billing.invitations.accept(
        TEAM,
        invitation.id,
        user_id="W0EXT",
        user_email="ext@partner.example.com",
        user_organisation="T0PARTNER",
    )
    accepted = last_event(billing)
    assert (accepted.action, accepted.actor_user_id) == ("invitation.accepted", "W0EXT")
    assert accepted.detail == "from another organisation (T0PARTNER)"
