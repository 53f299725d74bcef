"""Contacts (owner and holders of `contacts` only) and the append-only audit log."""

import pytest

from bot.core import BillingAccess
from bot.core.errors import Conflict, InvalidEmail, InvalidInput, NotAuthorized, NotFound
from tests.conftest import OWNER, OWNER_EMAIL, TEAM
from tests.core.helpers import actions, add_user

LEE = "lee@example.com"


def test_owner_adds_lists_and_removes_contacts(billing: BillingAccess) -> None:
    contact = billing.contacts.add(TEAM, actor=OWNER, email="Lee@Example.com", name=" Lee  Park ")
    assert (contact.email, contact.name) == (LEE, "Lee Park")
    assert [c.email for c in billing.contacts.list(TEAM, actor=OWNER)] == [LEE]
    billing.contacts.remove(TEAM, actor=OWNER, email=LEE)
    assert billing.contacts.list(TEAM, actor=OWNER) == []
    assert actions(billing)[-2:] == [("contact.added", LEE), ("contact.removed", LEE)]


def test_a_user_holding_contacts_manages_contacts(billing: BillingAccess) -> None:
    add_user(billing, "ana@example.com", "U0ANA", ["contacts"])
    billing.contacts.add(TEAM, actor="U0ANA", email=LEE)
    assert [c.email for c in billing.contacts.list(TEAM, actor="U0ANA")] == [LEE]


@pytest.mark.parametrize("actor", ["U0BO", "U0REMOVED", "U0STRANGER"])
def test_others_cannot_touch_contacts(billing: BillingAccess, actor: str) -> None:
    add_user(billing, "bo@example.com", "U0BO", ["invoices"])
    add_user(billing, "gone@example.com", "U0REMOVED", ["contacts"])
    billing.members.remove_access(TEAM, actor=OWNER, email="gone@example.com")
    billing.contacts.add(TEAM, actor=OWNER, email=LEE)
    trail = actions(billing)
    with pytest.raises(NotAuthorized, match="View & Manage Contacts"):
        billing.contacts.add(TEAM, actor=actor, email="new@example.com")
    with pytest.raises(NotAuthorized):
        billing.contacts.remove(TEAM, actor=actor, email=LEE)
    with pytest.raises(NotAuthorized):
        billing.contacts.list(TEAM, actor=actor)
    assert actions(billing) == trail


def test_duplicate_missing_and_malformed_contacts(billing: BillingAccess) -> None:
    billing.contacts.add(TEAM, actor=OWNER, email=LEE)
    with pytest.raises(Conflict, match="already a contact"):
        billing.contacts.add(TEAM, actor=OWNER, email="LEE@example.com")
    with pytest.raises(NotFound, match="not a contact"):
        billing.contacts.remove(TEAM, actor=OWNER, email="nobody@example.com")
    with pytest.raises(InvalidEmail):
        billing.contacts.add(TEAM, actor=OWNER, email="lee@")
    with pytest.raises(InvalidInput, match="too long"):
        billing.contacts.add(TEAM, actor=OWNER, email="x@example.com", name="n" * 201)
    assert [c.email for c in billing.contacts.list(TEAM, actor=OWNER)] == [LEE]


def test_recent_audit_is_newest_first_and_owner_only(billing: BillingAccess) -> None:
    add_user(billing, "ana@example.com", "U0ANA", ["invoices"])
    recent = billing.audit.recent(TEAM, actor=OWNER, limit=2)
    assert [e.action for e in recent] == ["invitation.accepted", "invitation.created"]
    with pytest.raises(NotAuthorized):
        billing.audit.recent(TEAM, actor="U0ANA")


def test_the_core_offers_no_way_to_change_or_delete_audit_events(billing: BillingAccess) -> None:
    public = {name for name in dir(billing.audit) if not name.startswith("_")}
    assert public == {"recent", "trail"}
    first = billing.audit.trail(TEAM)[0]
    first.action = "tampered"
    assert billing.audit.trail(TEAM)[0].action == "account.created"
    assert [e.target for e in billing.audit.trail(TEAM)] == [OWNER_EMAIL]
