"""Contacts: people who receive the account's emails but hold no access."""

from collections.abc import Iterator
from contextlib import contextmanager

from bot.core.authority import require_contacts_manager
from bot.core.context import CoreContext, account_id, record, require_account
from bot.core.emails import normalise_email
from bot.core.errors import Conflict, InvalidInput, NotFound
from storage.tables import Account, Contact
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

    def add(self, team_id: str, *, actor: str, email: str, name: str = "") -> Contact:
        address = normalise_email(email)
        clean_name = " ".join(name.split())
        if len(clean_name) > MAX_CONTACT_NAME:
            raise InvalidInput(f"The name is too long (at most {MAX_CONTACT_NAME} characters).")
        now = self._context.now()
        with self._managing(team_id, actor) as (uow, account):
            if uow.contacts.by_email(account_id(account), address) is not None:
                raise Conflict(f"{address} is already a contact.")
            contact = uow.contacts.add(
                Contact(
                    account_id=account_id(account),
                    email=address,
                    name=clean_name,
                    added_by_user_id=actor,
                    created_at=now,
                )
            )
            record(
                uow,
                account,
                at=now,
                actor=actor,
                action="contact.added",
                target=address,
                detail=clean_name,
            )
            try:
                uow.commit()
            except UniqueViolation:
                raise Conflict(f"{address} is already a contact.") from None
            return contact

    def remove(self, team_id: str, *, actor: str, email: str) -> Contact:
        address = normalise_email(email)
        now = self._context.now()
        with self._managing(team_id, actor) as (uow, account):
            contact = uow.contacts.by_email(account_id(account), address)
            if contact is None:
                raise NotFound(f"{address} is not a contact.")
            uow.contacts.remove(contact)
            record(
                uow,
                account,
                at=now,
                actor=actor,
                action="contact.removed",
                target=address,
                detail=contact.name,
            )
            uow.commit()
            return contact

    def list(self, team_id: str, *, actor: str) -> list[Contact]:
        with self._managing(team_id, actor, read_only=True) as (uow, account):
            return list(uow.contacts.all(account_id(account)))
