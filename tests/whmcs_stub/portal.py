"""What a WHMCS install holds, as far as the product uses it: clients, users linked to clients
with permission sets, pending invitations, contacts and the emails sent.

Ids come from separate counters that start far apart (clients 1…, users 101…, contacts 501…)
so that a user id passed where a client id belongs finds nothing instead of the wrong row.
"""

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

PERMISSIONS = (
    "profile",
    "contacts",
    "products",
    "manageproducts",
    "productsso",
    "domains",
    "managedomains",
    "invoices",
    "quotes",
    "tickets",
    "affiliates",
    "emails",
    "orders",
)
"""WHMCS's permission keys, in the order of ``GetPermissionsList``."""

EMAIL_KINDS = ("general", "product", "domain", "invoice", "support", "affiliate")
"""The kinds of client email a contact may receive, in WHMCS's order."""

_FIRST_CLIENT_ID = 1
_FIRST_USER_ID = 101
_FIRST_CONTACT_ID = 501


class ApiError(Exception):
    """A refusal WHMCS answers as ``{"result": "error", "message": ...}``."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class StubUser:
    id: int
    email: str
    firstname: str
    lastname: str
    datecreated: str

    @property
    def name(self) -> str:
        return f"{self.firstname} {self.lastname}".strip()


@dataclass(frozen=True)
class StubClient:
    id: int
    email: str
    firstname: str
    lastname: str
    companyname: str
    owner_user_id: int | None


@dataclass(frozen=True)
class Invite:
    """An invitation WHMCS emailed to ``email``; no API lists it."""

    client_id: int
    email: str
    permissions: tuple[str, ...]


@dataclass(frozen=True)
class StubContact:
    id: int
    client_id: int
    firstname: str
    lastname: str
    email: str
    email_kinds: frozenset[str]


@dataclass(frozen=True)
class SentEmail:
    """A custom message ``SendEmail`` sent to a client's own address (HTML body)."""

    client_id: int
    to: str
    subject: str
    message: str


@dataclass(frozen=True)
class Link:
    """A user of a client as the client area shows it."""

    user_id: int
    email: str
    name: str
    is_owner: bool
    permissions: tuple[str, ...]


def in_catalogue_order(keys: Iterable[str]) -> tuple[str, ...]:
    """``keys`` once each: known keys in WHMCS's order, then any others as given."""
    unique = list(dict.fromkeys(keys))
    return tuple(key for key in PERMISSIONS if key in unique) + tuple(
        key for key in unique if key not in PERMISSIONS
    )


def split_name(name: str) -> tuple[str, str]:
    first, _, last = name.strip().partition(" ")
    return first, last.strip()


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")


class Portal:
    """The install's state and its rules (the owner has every permission and cannot be edited
    or removed). Not thread-safe: the stub holds its lock around every use."""

    def __init__(self) -> None:
        self.clients: dict[int, StubClient] = {}
        self.users: dict[int, StubUser] = {}
        self.links: dict[tuple[int, int], tuple[str, ...]] = {}
        """(user id, client id) → the permission set of that link (unused for the owner)."""
        self.invites: list[Invite] = []
        self.contacts: dict[int, StubContact] = {}
        self.emails: list[SentEmail] = []
        self._client_ids = itertools.count(_FIRST_CLIENT_ID)
        self._user_ids = itertools.count(_FIRST_USER_ID)
        self._contact_ids = itertools.count(_FIRST_CONTACT_ID)

    # Users and clients

    def user_by_email(self, email: str) -> StubUser | None:
        wanted = email.strip().lower()
        return next((user for user in self.users.values() if user.email.lower() == wanted), None)

    def add_user(self, email: str, name: str = "") -> StubUser:
        """A login with no client; an email already registered is refused, as WHMCS does."""
        if self.user_by_email(email) is not None:
            raise ValueError(f"a user with email {email} already exists")
        firstname, lastname = split_name(name or email.partition("@")[0])
        user = StubUser(next(self._user_ids), email.strip(), firstname, lastname, _now())
        self.users[user.id] = user
        return user

    def user_for(self, email: str, name: str = "") -> StubUser:
        """The user registered with ``email``, registering one if there is none."""
        return self.user_by_email(email) or self.add_user(email, name)

    def add_client(
        self,
        email: str,
        *,
        firstname: str,
        lastname: str,
        companyname: str,
        owner_email: str | None,
    ) -> StubClient:
        """A client, with an owner user logging in with ``owner_email`` unless that is None."""
        owner = (
            None if owner_email is None else self.user_for(owner_email, f"{firstname} {lastname}")
        )
        client = StubClient(
            next(self._client_ids),
            email,
            firstname,
            lastname,
            companyname,
            None if owner is None else owner.id,
        )
        self.clients[client.id] = client
        if owner is not None:
            self.links[owner.id, client.id] = PERMISSIONS
        return client

    def client(self, client_id: int) -> StubClient:
        try:
            return self.clients[client_id]
        except KeyError:
            raise LookupError(f"no client {client_id}") from None

    def is_owner(self, user_id: int, client_id: int) -> bool:
        client = self.clients.get(client_id)
        return client is not None and client.owner_user_id == user_id

    def is_linked(self, user_id: int, client_id: int) -> bool:
        return (user_id, client_id) in self.links

    def permissions(self, user_id: int, client_id: int) -> tuple[str, ...]:
        if self.is_owner(user_id, client_id):
            return PERMISSIONS
        return in_catalogue_order(self.links[user_id, client_id])

    def link(self, user_id: int, client_id: int, permissions: Iterable[str]) -> None:
        self.links[user_id, client_id] = in_catalogue_order(permissions)

    def set_permissions(self, user_id: int, client_id: int, permissions: Iterable[str]) -> None:
        if self.is_owner(user_id, client_id):
            raise ApiError("Permissions cannot be set on a client owner")
        if not self.is_linked(user_id, client_id):
            raise ApiError("User is not associated with client")
        self.link(user_id, client_id, permissions)

    def unlink(self, user_id: int, client_id: int) -> None:
        if not self.is_linked(user_id, client_id):
            raise ApiError("User is not associated with client")
        if self.is_owner(user_id, client_id):
            raise ApiError("You cannot remove the account owner")
        del self.links[user_id, client_id]

    def links_of(self, client_id: int) -> list[Link]:
        """The client's users, owner first, then by user id."""
        linked = sorted(
            (user_id for user_id, linked_client in self.links if linked_client == client_id),
            key=lambda user_id: (not self.is_owner(user_id, client_id), user_id),
        )
        return [self._link_view(self.users[user_id], client_id) for user_id in linked]

    def clients_of(self, user_id: int) -> list[int]:
        return sorted(client_id for linked, client_id in self.links if linked == user_id)

    def _link_view(self, user: StubUser, client_id: int) -> Link:
        return Link(
            user.id,
            user.email,
            user.name,
            self.is_owner(user.id, client_id),
            self.permissions(user.id, client_id),
        )

    # Invitations

    def invite(self, client_id: int, email: str, permissions: Iterable[str]) -> None:
        self.invites.append(Invite(client_id, email.strip(), in_catalogue_order(permissions)))

    def follow_invite(self, email: str, name: str, client_id: int | None) -> int:
        """The invitee follows the latest invitation to ``email`` (for ``client_id`` if given):
        logging in or registering, they become a user of the client with its permissions."""
        wanted = email.strip().lower()
        matching = [
            invite
            for invite in self.invites
            if invite.email.lower() == wanted and client_id in (None, invite.client_id)
        ]
        if not matching:
            raise LookupError(f"no pending invitation for {email}")
        invite = matching[-1]
        user = self.user_for(invite.email, name)
        if self.is_linked(user.id, invite.client_id):
            raise ValueError(f"{email} is already a user of client {invite.client_id}")
        self.invites.remove(invite)
        self.link(user.id, invite.client_id, invite.permissions)
        return user.id

    # Contacts

    def add_contact(
        self,
        client_id: int,
        *,
        email: str,
        firstname: str,
        lastname: str,
        email_kinds: Iterable[str],
    ) -> StubContact:
        contact = StubContact(
            next(self._contact_ids), client_id, firstname, lastname, email, frozenset(email_kinds)
        )
        self.contacts[contact.id] = contact
        return contact

    def contact(self, contact_id: int | None) -> StubContact:
        if contact_id is None or contact_id not in self.contacts:
            raise ApiError("Contact ID Not Found")
        return self.contacts[contact_id]

    def contacts_of(self, client_id: int) -> list[StubContact]:
        return [contact for contact in self.contacts.values() if contact.client_id == client_id]
