"""Contacts: people who receive the account's emails but hold no access.

``ContactService`` is what people in Slack use: it checks their authority and commits. The
functions below it change contacts inside a unit of work someone else owns (the billing
portal's sync, which decides its own authority), each change audited.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime

from bot.core.authority import require_contacts_manager
from bot.core.contact_emails import ALL_EMAIL_KINDS, email_kinds_in_order, email_kinds_summary
from bot.core.context import CoreContext, account_id, record, require_account
from bot.core.emails import normalise_email
from bot.core.errors import Conflict, InvalidInput, NotFound
from bot.core.portal_changes import owe_portal
from storage.tables import Account, Contact, OutboxKind
from storage.unit_of_work import UniqueViolation, UnitOfWork

MAX_CONTACT_NAME = 200


class ContactService:
    def __init__(self, context: CoreContext) -> None:
        self._context = context

    @contextmanager
    def _managing(
        self, team_id: str, actor: str, *, read_only: bool = False
    ) -> Iterator[tuple[UnitOfWork, Account]]:
        """A unit of work on the account, for those who may manage its contacts."""
        with self._context.uow(read_only=read_only) as uow:
            account = require_account(uow, team_id)
            require_contacts_manager(uow, account, actor)
            yield uow, account

    def check_manager(self, team_id: str, actor: str) -> None:
        """Refuse, before a form is shown, someone who could not submit it."""
        with self._managing(team_id, actor, read_only=True):
            pass

    def add(
        self,
        team_id: str,
        *,
        actor: str,
        email: str,
        name: str = "",
        email_kinds: Iterable[str] = ALL_EMAIL_KINDS,
    ) -> Contact:
        now = self._context.now()
        with self._managing(team_id, actor) as (uow, account):
            contact = add_contact(
                uow, account, at=now, actor=actor, email=email, name=name, email_kinds=email_kinds
            )
            try:
                uow.flush()
                contact.syncing = owe_portal(
                    uow,
                    account,
                    OutboxKind.PORTAL_CONTACT_ADD,
                    now,
                    contact_id=contact.id,
                    email=contact.email,
                    name=contact.name,
                    email_kinds=contact.email_kinds,
                )
                uow.commit()
            except UniqueViolation:
                raise Conflict(f"{contact.email} is already a contact.") from None
            return contact

    def remove(self, team_id: str, *, actor: str, email: str) -> Contact:
        address = normalise_email(email)
        now = self._context.now()
        with self._managing(team_id, actor) as (uow, account):
            contact = uow.contacts.by_email(account_id(account), address)
            if contact is None:
                raise NotFound(f"{address} is not a contact.")
            remove_contact(uow, account, contact, at=now, actor=actor)
            # Without a WHMCS id (its add still syncing), the removal finds it by address.
            owe_portal(
                uow,
                account,
                OutboxKind.PORTAL_CONTACT_REMOVE,
                now,
                whmcs_contact_id=contact.whmcs_contact_id,
                email=contact.email,
            )
            uow.commit()
            return contact

    def list(self, team_id: str, *, actor: str) -> list[Contact]:
        with self._managing(team_id, actor, read_only=True) as (uow, account):
            return list(uow.contacts.all(account_id(account)))


def add_contact(
    uow: UnitOfWork,
    account: Account,
    *,
    at: datetime,
    actor: str,
    email: str,
    name: str = "",
    email_kinds: Iterable[str] = ALL_EMAIL_KINDS,
) -> Contact:
    """A new contact of ``account`` getting ``email_kinds``, audited; not committed."""
    address = normalise_email(email)
    clean_name = _clean_name(name)
    kinds = email_kinds_in_order(email_kinds)
    if uow.contacts.by_email(account_id(account), address) is not None:
        raise Conflict(f"{address} is already a contact.")
    contact = uow.contacts.add(
        Contact(
            account_id=account_id(account),
            email=address,
            name=clean_name,
            added_by_user_id=actor,
            created_at=at,
            email_kinds=list(kinds),
        )
    )
    detail = " · ".join(filter(None, (clean_name, email_kinds_summary(kinds))))
    record(uow, account, at=at, actor=actor, action="contact.added", target=address, detail=detail)
    return contact


def update_contact(
    uow: UnitOfWork,
    account: Account,
    contact: Contact,
    *,
    at: datetime,
    actor: str,
    name: str,
    email_kinds: Iterable[str],
) -> bool:
    """Give ``contact`` this name and these kinds of email, audited; not committed.
    False, and nothing recorded, when it already had them."""
    clean_name = _clean_name(name)
    kinds = list(email_kinds_in_order(email_kinds))
    changes = []
    if clean_name != contact.name:
        changes.append(f"name: {contact.name or '—'} → {clean_name or '—'}")
    if kinds != contact.email_kinds:
        before, after = email_kinds_summary(contact.email_kinds), email_kinds_summary(kinds)
        changes.append(f"{before} → {after}")
    if not changes:
        return False
    contact.name, contact.email_kinds = clean_name, kinds
    uow.contacts.add(contact)
    detail = "; ".join(changes)
    record(
        uow,
        account,
        at=at,
        actor=actor,
        action="contact.changed",
        target=contact.email,
        detail=detail,
    )
    return True


def remove_contact(
    uow: UnitOfWork, account: Account, contact: Contact, *, at: datetime, actor: str
) -> None:
    """Delete ``contact``, audited; not committed."""
    uow.contacts.remove(contact)
    record(
        uow,
        account,
        at=at,
        actor=actor,
        action="contact.removed",
        target=contact.email,
        detail=contact.name,
    )


def _clean_name(name: str) -> str:
    clean = " ".join(name.split())
    if len(clean) > MAX_CONTACT_NAME:
        raise InvalidInput(f"The name is too long (at most {MAX_CONTACT_NAME} characters).")
    return clean
