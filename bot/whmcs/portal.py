"""WHMCS as the core's billing portal: the port of ``bot/core/portal.py`` over ``WhmcsClient``,
its answers turned into the core's plain data and its errors into the core's kinds."""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from bot.core.portal import (
    PortalAlreadyLinked,
    PortalAuthFailed,
    PortalClient,
    PortalContact,
    PortalNotFound,
    PortalRefused,
    PortalUnreachable,
    PortalUser,
)
from bot.whmcs.client import WhmcsClient
from bot.whmcs.errors import AlreadyLinked, AuthenticationFailed, NotFound, Refused, Unreachable


@contextmanager
def _in_the_cores_words() -> Iterator[None]:
    try:
        yield
    except AlreadyLinked as error:
        raise PortalAlreadyLinked(error.message) from None
    except NotFound as error:
        raise PortalNotFound(error.message) from None
    except Refused as error:
        raise PortalRefused(error.message) from None
    except AuthenticationFailed as error:
        raise PortalAuthFailed(error.message) from None
    except Unreachable:
        raise PortalUnreachable("WHMCS did not answer") from None


class WhmcsPortal:
    def __init__(self, client: WhmcsClient) -> None:
        self._client = client

    def client(self, client_id: int) -> PortalClient:
        with _in_the_cores_words():
            details = self._client.get_clients_details(client_id=client_id)
        users = tuple(
            PortalUser(user.user_id, user.email, user.name, user.is_owner) for user in details.users
        )
        return PortalClient(details.client_id, details.email, details.name, users)

    def permissions(self, client_id: int, user_id: int) -> tuple[str, ...]:
        with _in_the_cores_words():
            answer = self._client.get_user_permissions(client_id=client_id, user_id=user_id)
        return answer.permissions

    def set_permissions(self, client_id: int, user_id: int, permissions: Sequence[str]) -> None:
        with _in_the_cores_words():
            self._client.update_user_permissions(
                client_id=client_id, user_id=user_id, permissions=permissions
            )

    def remove_user(self, client_id: int, user_id: int) -> None:
        with _in_the_cores_words():
            self._client.delete_user_client(client_id=client_id, user_id=user_id)

    def invite(self, client_id: int, email: str, permissions: Sequence[str]) -> None:
        with _in_the_cores_words():
            self._client.create_client_invite(
                client_id=client_id, email=email, permissions=permissions
            )

    def send_email(self, client_id: int, subject: str, message: str) -> None:
        with _in_the_cores_words():
            self._client.send_email(client_id=client_id, subject=subject, text=message)

    def contacts(self, client_id: int) -> tuple[PortalContact, ...]:
        with _in_the_cores_words():
            found = self._client.get_contacts(client_id=client_id)
        return tuple(
            PortalContact(c.contact_id, c.email, c.name, tuple(c.email_kinds)) for c in found
        )

    def add_contact(self, client_id: int, email: str, name: str, email_kinds: Sequence[str]) -> int:
        with _in_the_cores_words():
            return self._client.add_contact(
                client_id=client_id, email=email, name=name, email_kinds=email_kinds
            )

    def remove_contact(self, contact_id: int) -> None:
        with _in_the_cores_words():
            self._client.delete_contact(contact_id=contact_id)
