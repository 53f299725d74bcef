"""Contacts (owner and holders of `contacts` only) and the append-only audit log."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from bot.core import BillingAccess
from bot.core.contact_emails import ALL_EMAIL_KINDS
from bot.core.contacts import add_contact, remove_contact, update_contact
from bot.core.errors import Conflict, InvalidEmail, InvalidInput, NotAuthorized, NotFound
from storage.engine import make_engine
from storage.migrate import upgrade
from storage.unit_of_work import UnitOfWork
from tests.conftest import OWNER, OWNER_EMAIL, TEAM
from tests.core.helpers import actions, add_user, last_event

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


def test_a_contact_gets_every_kind_of_email_unless_told_otherwise(billing: BillingAccess) -> None:
    contact = billing.contacts.add(TEAM, actor=OWNER, email=LEE, name="Lee")
    assert contact.email_kinds == list(ALL_EMAIL_KINDS)
    assert last_event(billing).detail == "Lee · All emails"


def test_a_contact_gets_only_the_emails_chosen_kept_in_whmcs_order(
    billing: BillingAccess,
) -> None:
    billing.contacts.add(TEAM, actor=OWNER, email=LEE, email_kinds=["support", "invoice"])
    billing.contacts.add(TEAM, actor=OWNER, email="quiet@example.com", email_kinds=[])
    stored = {c.email: c.email_kinds for c in billing.contacts.list(TEAM, actor=OWNER)}
    assert stored == {LEE: ["invoice", "support"], "quiet@example.com": []}
    assert [e.detail for e in billing.audit.trail(TEAM)[-2:]] == [
        "Invoice, Support emails",
        "No emails",
    ]


def test_an_unknown_kind_of_email_is_refused(billing: BillingAccess) -> None:
    trail = actions(billing)
    with pytest.raises(InvalidInput, match="Unknown kind of email: newsletter"):
        billing.contacts.add(TEAM, actor=OWNER, email=LEE, email_kinds=["invoice", "newsletter"])
    assert billing.contacts.list(TEAM, actor=OWNER) == []
    assert actions(billing) == trail


def test_only_contact_managers_may_open_the_contact_form(billing: BillingAccess) -> None:
    add_user(billing, "ana@example.com", "U0ANA", ["contacts"])
    add_user(billing, "bo@example.com", "U0BO", ["invoices"])
    billing.contacts.check_manager(TEAM, OWNER)
    billing.contacts.check_manager(TEAM, "U0ANA")
    with pytest.raises(NotAuthorized, match="View & Manage Contacts"):
        billing.contacts.check_manager(TEAM, "U0BO")


def test_a_sync_changes_and_removes_contacts_in_its_own_unit_of_work(
    engine: Engine, billing: BillingAccess
) -> None:
    billing.contacts.add(TEAM, actor=OWNER, email=LEE, name="Lee")
    at = datetime(2026, 3, 3, tzinfo=UTC)
    with UnitOfWork(engine) as uow:
        account = uow.accounts.for_team(TEAM)
        assert account is not None
        contact = uow.contacts.by_email(account.id or 0, LEE)
        assert contact is not None
        kinds = ["invoice"]
        assert update_contact(
            uow, account, contact, at=at, actor="portal", name="Lee", email_kinds=kinds
        )
        assert not update_contact(
            uow, account, contact, at=at, actor="portal", name="Lee", email_kinds=kinds
        )
        add_contact(uow, account, at=at, actor="portal", email="Kim@Example.com")
        uow.commit()
    stored = {c.email: c.email_kinds for c in billing.contacts.list(TEAM, actor=OWNER)}
    assert stored == {LEE: ["invoice"], "kim@example.com": list(ALL_EMAIL_KINDS)}
    changed, added = billing.audit.trail(TEAM)[-2:]
    assert (changed.actor_user_id, changed.action, changed.detail) == (
        "portal",
        "contact.changed",
        "All emails → Invoice emails",
    )
    assert (added.action, added.target) == ("contact.added", "kim@example.com")
    with UnitOfWork(engine) as uow:
        account = uow.accounts.for_team(TEAM)
        assert account is not None
        for contact in uow.contacts.all(account.id or 0):
            remove_contact(uow, account, contact, at=at, actor="portal")
        uow.commit()
    assert billing.contacts.list(TEAM, actor=OWNER) == []
    assert actions(billing)[-2:] == [
        ("contact.removed", "kim@example.com"),
        ("contact.removed", LEE),
    ]


def test_contacts_added_before_preferences_existed_get_every_email(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, "0006_channel_problems")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO account (id, team_id, name, owner_user_id, reminders_channel_id,"
                " created_at) VALUES (1, 'T1', 'Acme', 'U1', 'C1', '2026-03-01 09:00:00')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO contact (account_id, email, name, added_by_user_id, created_at)"
                " VALUES (1, 'lee@example.com', 'Lee', 'U1', '2026-03-01 09:00:00')"
            )
        )
    upgrade(engine, "0007_contact_email_preferences")
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT email_kinds FROM contact")).scalar_one()
    engine.dispose()
    assert json.loads(stored) == list(ALL_EMAIL_KINDS)


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
