"""Who may do what, decided from the database and the Slack user id Slack signed."""

from typing import Protocol

from bot.core.errors import NotAuthorized
from bot.core.permissions import CONTACTS
from storage.tables import Account
from storage.unit_of_work import UnitOfWork


class Owned(Protocol):
    """An account, or just enough of one to say who owns it."""

    @property
    def owner_user_id(self) -> str: ...


def is_owner(account: Owned, user_id: str) -> bool:
    return account.owner_user_id == user_id


def require_owner(account: Account, user_id: str, doing: str) -> None:
    if not is_owner(account, user_id):
        raise NotAuthorized(f"Sorry, only the owner of {account.name} can {doing}.")


def may_manage_contacts(uow: UnitOfWork, account: Account, user_id: str) -> bool:
    if is_owner(account, user_id):
        return True
    assert account.id is not None
    member = uow.members.active_by_slack_user(account.id, user_id)
    return member is not None and CONTACTS in member.permissions


def require_contacts_manager(uow: UnitOfWork, account: Account, user_id: str) -> None:
    if not may_manage_contacts(uow, account, user_id):
        raise NotAuthorized(
            f"Sorry, only the owner of {account.name} and people allowed to "
            "View & Manage Contacts can manage contacts."
        )
