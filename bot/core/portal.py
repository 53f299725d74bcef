"""The billing portal as the core needs it (DESIGN §9): a port, with WHMCS as its adapter.

The core asks the portal who the client's users and contacts are and sends it the changes
the owner makes. What it answers is plain data; what goes wrong is one of a few kinds the
core treats differently: the thing is not there, the portal refused (its words are shown to
the owner), the outcome is unknown (the portal may have done it), or a person must fix the
connection itself.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class PortalUser:
    id: int
    email: str
    name: str
    is_owner: bool


@dataclass(frozen=True)
class PortalClient:
    id: int
    email: str
    name: str
    users: tuple[PortalUser, ...]


@dataclass(frozen=True)
class PortalContact:
    id: int
    email: str
    name: str
    email_kinds: tuple[str, ...]


class PortalError(Exception):
    """The portal did not do what was asked; ``message`` is fit to show the owner."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PortalNotFound(PortalError):
    """The client, user or contact named does not exist (or is not linked)."""


class PortalAlreadyLinked(PortalError):
    """The email is already a user of the client."""


class PortalRefused(PortalError):
    """The portal said no, in its own words."""


class PortalUnreachable(PortalError):
    """No answer (timeout, outage, garbled reply): the change may or may not have been made."""


class PortalAuthFailed(PortalError):
    """The portal refused the bot's credentials or address: a person must fix the set-up."""


class BillingPortal(Protocol):
    def client(self, client_id: int) -> PortalClient: ...

    def permissions(self, client_id: int, user_id: int) -> tuple[str, ...]: ...

    def set_permissions(self, client_id: int, user_id: int, permissions: Sequence[str]) -> None: ...

    def remove_user(self, client_id: int, user_id: int) -> None: ...

    def invite(self, client_id: int, email: str, permissions: Sequence[str]) -> None: ...

    def send_email(self, client_id: int, subject: str, message: str) -> None: ...

    def contacts(self, client_id: int) -> tuple[PortalContact, ...]: ...

    def add_contact(
        self, client_id: int, email: str, name: str, email_kinds: Sequence[str]
    ) -> int: ...

    def remove_contact(self, contact_id: int) -> None: ...
