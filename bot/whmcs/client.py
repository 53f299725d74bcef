"""WHMCS's External API, as ``../shared/whmcs/API.md`` describes it: form POSTs to
``includes/api.php`` over one pooled httpx client, each answer's ``result`` checked whatever the
HTTP status, and its refusals raised as the errors of ``bot.whmcs.errors``.

Nothing here retries: WHMCS calls are not idempotent, so after ``Unreachable`` the caller checks
whether the change is already there before sending it again.
"""

import html
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self, TypeVar

import httpx

from bot.core.permissions import ALL_KEYS
from bot.metrics import WHMCS_CALLS, WHMCS_ERRORS
from bot.whmcs.config import WhmcsConfig
from bot.whmcs.errors import (
    AlreadyLinked,
    AuthenticationFailed,
    NotFound,
    Refused,
    Unreachable,
    WhmcsError,
)

DEFAULT_TIMEOUT_SECONDS = 15.0
_CONNECT_TIMEOUT_SECONDS = 5.0
_PAGE_SIZE = 250
_USER_AGENT = "billing-access-for-slack"

EMAIL_KINDS = ("general", "product", "domain", "invoice", "support", "affiliate")
"""The kinds of client email a contact may receive, in WHMCS's order."""

_NOT_FOUND = frozenset(
    message.lower()
    for message in (
        "Client Not Found",
        "Client ID Not Found",
        "Invalid client id",
        "Invalid Client ID requested",
        "Invalid User ID requested",
        "User is not associated with client",
        "Contact ID Not Found",
    )
)
_ALREADY_LINKED = "user already associated with client"
_ACCESS_REFUSED = ("authentication failed", "invalid ip", "invalid permissions")

Answer = dict[str, Any]
Read = TypeVar("Read")
Parsed = TypeVar("Parsed")


@dataclass(frozen=True)
class ClientUser:
    user_id: int
    email: str
    name: str
    is_owner: bool


@dataclass(frozen=True)
class ClientDetails:
    client_id: int
    email: str
    firstname: str
    lastname: str
    companyname: str
    users: tuple[ClientUser, ...]

    @property
    def name(self) -> str:
        """The company's name, or the client's own when it has none."""
        return self.companyname or f"{self.firstname} {self.lastname}".strip()

    @property
    def owner(self) -> ClientUser | None:
        return next((user for user in self.users if user.is_owner), None)


@dataclass(frozen=True)
class UserPermissions:
    user_id: int
    client_id: int
    is_owner: bool
    permissions: tuple[str, ...]
    """In catalogue order; keys the product does not know are left out."""


@dataclass(frozen=True)
class UserClient:
    client_id: int
    is_owner: bool


@dataclass(frozen=True)
class User:
    """A WHMCS login, with the clients it is linked to."""

    user_id: int
    email: str
    firstname: str
    lastname: str
    clients: tuple[UserClient, ...]


@dataclass(frozen=True)
class Contact:
    contact_id: int
    client_id: int
    email: str
    name: str
    email_kinds: tuple[str, ...]
    """The kinds of email (of ``EMAIL_KINDS``, in that order) the contact receives."""


class WhmcsClient:
    """One WHMCS install. Thread-safe; at most ``config.max_concurrency`` connections, kept
    open between calls. Pass an httpx ``transport`` to talk to something else than the
    network."""

    def __init__(
        self,
        config: WhmcsConfig,
        *,
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._config = config
        pool = httpx.Limits(
            max_connections=config.max_concurrency,
            max_keepalive_connections=config.max_concurrency,
        )
        self._http = httpx.Client(
            timeout=httpx.Timeout(
                timeout_seconds, connect=min(timeout_seconds, _CONNECT_TIMEOUT_SECONDS)
            ),
            limits=pool,
            transport=transport,
            headers={"User-Agent": _USER_AGENT},
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # Clients and users

    def get_clients_details(self, *, client_id: int) -> ClientDetails:
        answer = self._call("GetClientsDetails", {"clientid": client_id})
        return _read("GetClientsDetails", _client_details, answer)

    def get_user_permissions(self, *, client_id: int, user_id: int) -> UserPermissions:
        answer = self._call("GetUserPermissions", {"user_id": user_id, "client_id": client_id})
        return _read("GetUserPermissions", _user_permissions, answer)

    def update_user_permissions(
        self, *, client_id: int, user_id: int, permissions: Iterable[str]
    ) -> tuple[str, ...]:
        """Replace the user's permission set; returns the set WHMCS now holds."""
        answer = self._call(
            "UpdateUserPermissions",
            {"user_id": user_id, "client_id": client_id, "permissions": _joined(permissions)},
        )
        return _read("UpdateUserPermissions", _permissions, answer)

    def delete_user_client(self, *, client_id: int, user_id: int) -> None:
        """Unlink the user from the client (the login remains)."""
        self._call("DeleteUserClient", {"user_id": user_id, "client_id": client_id})

    def create_client_invite(
        self, *, client_id: int, email: str, permissions: Iterable[str]
    ) -> None:
        """WHMCS emails ``email`` an invitation link; each call sends another."""
        self._call(
            "CreateClientInvite",
            {"client_id": client_id, "email": email, "permissions": _joined(permissions)},
        )

    def get_users(self, *, search: str = "") -> tuple[User, ...]:
        """Every login whose email, first, last or full name starts with ``search``."""
        rows = self._pages("GetUsers", {"search": search}, lambda answer: list(answer["users"]))
        return _read("GetUsers", lambda found: tuple(map(_user, found)), rows)

    def send_email(self, *, client_id: int, subject: str, text: str) -> None:
        """Email plain ``text`` (escaped; line breaks kept) to the client's own address."""
        self._call(
            "SendEmail",
            {
                "id": client_id,
                "customtype": "general",
                "customsubject": subject,
                "custommessage": html.escape(text),
            },
        )

    # Contacts

    def get_contacts(self, *, client_id: int) -> tuple[Contact, ...]:
        rows = self._pages(
            "GetContacts",
            {"userid": client_id},
            lambda answer: _listed(answer["contacts"], "contact"),
        )
        return _read("GetContacts", lambda found: tuple(map(_contact, found)), rows)

    def add_contact(
        self, *, client_id: int, email: str, name: str, email_kinds: Iterable[str]
    ) -> int:
        """Add a contact receiving ``email_kinds``; returns its id."""
        firstname, _, lastname = " ".join(name.split()).partition(" ")
        answer = self._call(
            "AddContact",
            {
                "clientid": client_id,
                "email": email,
                "firstname": firstname,
                "lastname": lastname,
                **_email_preferences(email_kinds),
            },
        )
        return _read("AddContact", lambda found: int(found["contactid"]), answer)

    def update_contact(self, *, contact_id: int, email_kinds: Iterable[str]) -> None:
        """Set which kinds of email the contact receives."""
        self._call("UpdateContact", {"contactid": contact_id, **_email_preferences(email_kinds)})

    def delete_contact(self, *, contact_id: int) -> None:
        self._call("DeleteContact", {"contactid": contact_id})

    # The wire

    def _call(self, action: str, params: Mapping[str, str | int]) -> Answer:
        WHMCS_CALLS.labels(action).inc()
        try:
            return self._answer(action, params)
        except WhmcsError as error:
            WHMCS_ERRORS.labels(action, type(error).__name__).inc()
            raise

    def _answer(self, action: str, params: Mapping[str, str | int]) -> Answer:
        form = {
            **{name: str(value) for name, value in params.items()},
            **self._credentials(),
            "action": action,
            "responsetype": "json",
        }
        try:
            response = self._http.post(self._config.api_url, data=form)
        except httpx.HTTPError as error:
            # The reason is in the message; httpx's own traceback adds nothing for the reader.
            raise Unreachable(action, f"no answer ({_described(error)})") from None
        answer = _json_object(response)
        result = None if answer is None else answer.get("result")
        if answer is None or result not in ("success", "error"):
            kind = response.headers.get("content-type", "no content type")
            raise Unreachable(action, f"HTTP {response.status_code} ({kind}) is not an API answer")
        if result == "error":
            raise _refusal(action, str(answer.get("message", "")))
        return answer

    def _credentials(self) -> dict[str, str]:
        config = self._config
        credentials = {
            "identifier": config.identifier.get_secret_value(),
            "secret": config.secret.get_secret_value(),
        }
        if config.access_key is not None:
            credentials["accesskey"] = config.access_key.get_secret_value()
        return credentials

    def _pages(
        self,
        action: str,
        params: Mapping[str, str | int],
        rows_of: Callable[[Answer], list[Answer]],
    ) -> list[Answer]:
        """Every row of a paged listing, asking for pages until all were returned."""
        rows: list[Answer] = []
        while True:
            answer = self._call(action, {**params, "limitstart": len(rows), "limitnum": _PAGE_SIZE})
            page, total = _read(
                action, lambda found: (rows_of(found), int(found["totalresults"])), answer
            )
            rows.extend(page)
            if not page or len(rows) >= total:
                return rows


def _read(action: str, read: Callable[[Read], Parsed], answer: Read) -> Parsed:
    """``read(answer)``; an answer of an unexpected shape is no usable answer."""
    try:
        return read(answer)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise Unreachable(action, f"an answer this bot cannot read ({error!r})") from None


def _described(error: httpx.HTTPError) -> str:
    reason = str(error)
    return f"{type(error).__name__}: {reason}" if reason else type(error).__name__


def _json_object(response: httpx.Response) -> Answer | None:
    try:
        parsed = response.json()
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None


def _refusal(action: str, message: str) -> WhmcsError:
    words = message.strip().lower()
    if words.startswith(_ACCESS_REFUSED):
        return AuthenticationFailed(action, message)
    if words in _NOT_FOUND:
        return NotFound(action, message)
    if words == _ALREADY_LINKED:
        return AlreadyLinked(action, message)
    return Refused(action, message)


def _joined(permissions: Iterable[str]) -> str:
    return ",".join(permissions)


def _email_preferences(email_kinds: Iterable[str]) -> dict[str, str]:
    chosen = set(email_kinds)
    unknown = chosen - set(EMAIL_KINDS)
    if unknown:
        raise ValueError(f"unknown kinds of email: {sorted(unknown)}")
    return {f"email_preferences[{kind}]": str(int(kind in chosen)) for kind in EMAIL_KINDS}


def _listed(value: Any, key: str) -> list[Answer]:
    """WHMCS lists rows as ``{"<key>": [...]}``, and as ``[]`` (or nothing) when empty."""
    if not value:
        return []
    rows: list[Answer] = value[key]
    return list(rows)


def _flag(value: Any) -> bool:
    """WHMCS's booleans: true/false, 1/0, or the same as strings."""
    return str(value).strip().lower() in {"1", "true"}


def _in_catalogue_order(keys: Iterable[str]) -> tuple[str, ...]:
    held = set(keys)
    return tuple(key for key in ALL_KEYS if key in held)


def _client_details(answer: Answer) -> ClientDetails:
    users = tuple(
        ClientUser(int(row["id"]), str(row["email"]), str(row["name"]), _flag(row["is_owner"]))
        for row in _listed(answer["users"], "user")
    )
    return ClientDetails(
        client_id=int(answer["client_id"]),
        email=str(answer["email"]),
        firstname=str(answer.get("firstname", "")),
        lastname=str(answer.get("lastname", "")),
        companyname=str(answer.get("companyname", "")),
        users=users,
    )


def _permissions(answer: Answer) -> tuple[str, ...]:
    keys = answer["permissions"]
    if not isinstance(keys, list):
        raise TypeError(f"permissions is a {type(keys).__name__}, not a list")
    return _in_catalogue_order(keys)


def _user_permissions(answer: Answer) -> UserPermissions:
    return UserPermissions(
        user_id=int(answer["user_id"]),
        client_id=int(answer["client_id"]),
        is_owner=_flag(answer["is_owner"]),
        permissions=_permissions(answer),
    )


def _user(row: Answer) -> User:
    clients = tuple(
        UserClient(int(link["id"]), _flag(link["isOwner"])) for link in row.get("clients") or []
    )
    return User(
        user_id=int(row["id"]),
        email=str(row["email"]),
        firstname=str(row.get("firstname", "")),
        lastname=str(row.get("lastname", "")),
        clients=clients,
    )


def _contact(row: Answer) -> Contact:
    name = f"{row.get('firstname', '')} {row.get('lastname', '')}".strip()
    return Contact(
        contact_id=int(row["id"]),
        client_id=int(row["userid"]),
        email=str(row["email"]),
        name=name,
        email_kinds=tuple(kind for kind in EMAIL_KINDS if _flag(row.get(f"{kind}emails"))),
    )
