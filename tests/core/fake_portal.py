"""A billing portal in memory for the core's tests: one client's users and contacts, what it
was sent, and failures on demand. (End-to-end tests use the WHMCS stand-in over HTTP.)"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import Engine

from bot.core import BillingAccess
from bot.core.permissions import ALL_KEYS
from bot.core.portal import (
    PortalClient,
    PortalContact,
    PortalError,
    PortalNotFound,
    PortalUser,
)
from storage.unit_of_work import unit_of_work_factory
from tests.conftest import OWNER, OWNER_EMAIL, TEAM, FakeClock

CLIENT = 42


@dataclass
class FakePortal:
    users: dict[int, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    """user id → (email, permissions); user 1 is the client's owner."""
    contacts_by_id: dict[int, PortalContact] = field(default_factory=dict)
    emails: list[tuple[int, str, str]] = field(default_factory=list)
    invites: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    failure: PortalError | None = None

    def __post_init__(self) -> None:
        self.users.setdefault(1, ("owner@client.example.com", ALL_KEYS))

    def _check(self, client_id: int) -> None:
        if self.failure is not None:
            raise self.failure
        if client_id != CLIENT:
            raise PortalNotFound("Client Not Found")

    def client(self, client_id: int) -> PortalClient:
        self._check(client_id)
        users = tuple(
            PortalUser(user_id, email, email.partition("@")[0], user_id == 1)
            for user_id, (email, _) in self.users.items()
        )
        return PortalClient(client_id, "billing@client.example.com", "Client Co", users)

    def permissions(self, client_id: int, user_id: int) -> tuple[str, ...]:
        self._check(client_id)
        return self.users[user_id][1]

    def set_permissions(self, client_id: int, user_id: int, permissions: Sequence[str]) -> None:
        self._check(client_id)
        self.users[user_id] = (self.users[user_id][0], tuple(permissions))

    def remove_user(self, client_id: int, user_id: int) -> None:
        self._check(client_id)
        if self.users.pop(user_id, None) is None:
            raise PortalNotFound("User is not associated with client")

    def invite(self, client_id: int, email: str, permissions: Sequence[str]) -> None:
        self._check(client_id)
        self.invites.append((email, tuple(permissions)))

    def send_email(self, client_id: int, subject: str, message: str) -> None:
        self._check(client_id)
        self.emails.append((client_id, subject, message))

    def contacts(self, client_id: int) -> tuple[PortalContact, ...]:
        self._check(client_id)
        return tuple(self.contacts_by_id.values())

    def add_contact(self, client_id: int, email: str, name: str, email_kinds: Sequence[str]) -> int:
        self._check(client_id)
        contact_id = max(self.contacts_by_id, default=0) + 1
        self.contacts_by_id[contact_id] = PortalContact(contact_id, email, name, tuple(email_kinds))
        return contact_id

    def remove_contact(self, contact_id: int) -> None:
        del self.contacts_by_id[contact_id]

    def add_user(self, user_id: int, email: str, permissions: Sequence[str]) -> None:
        """Someone in the portal (the client's owner, or an invitee following the link)."""
        self.users[user_id] = (email, tuple(permissions))

    def last_code(self) -> str:
        return "".join(ch for ch in self.emails[-1][2].split("The code is ")[1][:8])


def acme_with_portal(
    engine: Engine, clock: FakeClock, portal: FakePortal, *, sync_every: timedelta
) -> BillingAccess:
    """The core driving ``portal``, with TEAM's account set up by OWNER (not yet connected)."""
    core = BillingAccess.create(
        unit_of_work_factory(engine), clock=clock, portal=portal, sync_every=sync_every
    )
    core.accounts.setup(
        TEAM,
        "Acme Ltd",
        actor=OWNER,
        actor_email=OWNER_EMAIL,
        actor_is_workspace_admin=True,
        channel_id="C0BILLING",
    )
    return core


def connect(core: BillingAccess, portal: FakePortal) -> None:
    """The owner connects TEAM's account to CLIENT with the code the portal emailed."""
    core.connection.start(TEAM, actor=OWNER, client_id=CLIENT)
    core.connection.finish(TEAM, actor=OWNER, client_id=CLIENT, code=portal.last_code())
