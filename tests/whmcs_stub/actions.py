"""The API actions the product uses, answered as ``../shared/whmcs/API.md`` records them."""

import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from tests.whmcs_stub.portal import (
    EMAIL_KINDS,
    ApiError,
    Portal,
    SentEmail,
    StubClient,
    StubContact,
    StubUser,
)

Args = dict[str, str]
Answer = dict[str, Any]

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_DEFAULT_PAGE_SIZE = 25


def _id(args: Args, name: str) -> int | None:
    """An id from the form (WHMCS takes ids as strings), or None when absent or not a number."""
    value = args.get(name, "").strip()
    return int(value) if value.isdigit() else None


def _keys(text: str) -> list[str]:
    return [key.strip() for key in text.split(",") if key.strip()]


def _flag(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "on", "yes"}


def _success(**fields: Any) -> Answer:
    return {"result": "success", **fields}


def _page(args: Args, items: list[Any]) -> tuple[int, list[Any]]:
    start = _id(args, "limitstart") or 0
    size = _id(args, "limitnum") or _DEFAULT_PAGE_SIZE
    return start, items[start : start + size]


def _user_and_client(portal: Portal, args: Args) -> tuple[int, int]:
    user_id, client_id = _id(args, "user_id"), _id(args, "client_id")
    if user_id is None or user_id not in portal.users:
        raise ApiError("Invalid User ID requested")
    if client_id is None or client_id not in portal.clients:
        raise ApiError("Invalid Client ID requested")
    return user_id, client_id


def get_clients_details(portal: Portal, args: Args) -> Answer:
    client_id, email = _id(args, "clientid"), args.get("email", "").strip().lower()
    if client_id is None and not email:
        raise ApiError("Either clientid Or email Is Required")
    found = (
        portal.clients.get(client_id)
        if client_id is not None
        else next((c for c in portal.clients.values() if c.email.lower() == email), None)
    )
    if found is None:
        raise ApiError("Client Not Found")
    fields = _client_fields(portal, found)
    return _success(**fields, client=fields)


def _client_fields(portal: Portal, client: StubClient) -> Answer:
    users = [
        {"id": link.user_id, "name": link.name, "email": link.email, "is_owner": link.is_owner}
        for link in portal.links_of(client.id)
    ]
    return {
        "client_id": client.id,
        "userid": client.id,
        "id": client.id,
        "firstname": client.firstname,
        "lastname": client.lastname,
        "fullname": f"{client.firstname} {client.lastname}".strip(),
        "companyname": client.companyname,
        "email": client.email,
        # WHMCS answers an empty list, not an object, when the client has no users.
        "users": {"user": users} if users else [],
    }


def get_user_permissions(portal: Portal, args: Args) -> Answer:
    user_id, client_id = _user_and_client(portal, args)
    if not portal.is_linked(user_id, client_id):
        raise ApiError("User is not associated with client")
    return _success(
        user_id=user_id,
        client_id=client_id,
        is_owner=portal.is_owner(user_id, client_id),
        permissions=list(portal.permissions(user_id, client_id)),
    )


def update_user_permissions(portal: Portal, args: Args) -> Answer:
    user_id, client_id = _user_and_client(portal, args)
    permissions = _keys(args.get("permissions", ""))
    if not permissions:
        raise ApiError("Missing permissions definition")
    portal.set_permissions(user_id, client_id, permissions)
    return _success(
        user_id=user_id,
        client_id=client_id,
        permissions=list(portal.permissions(user_id, client_id)),
    )


def delete_user_client(portal: Portal, args: Args) -> Answer:
    portal.unlink(*_user_and_client(portal, args))
    return _success()


def create_client_invite(portal: Portal, args: Args) -> Answer:
    client_id = _id(args, "client_id")
    if client_id is None or client_id not in portal.clients:
        raise ApiError("Invalid client id")
    email = args.get("email", "").strip()
    if not email:
        raise ApiError("Email is required")
    if not _EMAIL.fullmatch(email):
        raise ApiError("The email address entered is not valid")
    permissions = _keys(args.get("permissions", ""))
    if not permissions:
        raise ApiError("User permissions are required")
    user = portal.user_by_email(email)
    if user is not None and portal.is_linked(user.id, client_id):
        raise ApiError("User already associated with client")
    portal.invite(client_id, email, permissions)
    return _success()


def get_users(portal: Portal, args: Args) -> Answer:
    search = args.get("search", "").strip().lower()
    matching = sorted(
        (user for user in portal.users.values() if _user_matches(user, search)),
        key=lambda user: user.id,
        reverse=args.get("sorting", "ASC").upper() == "DESC",
    )
    start, page = _page(args, matching)
    return _success(
        totalresults=len(matching),
        startnumber=start,
        numreturned=len(page),
        users=[_user_fields(portal, user) for user in page],
    )


def _user_matches(user: StubUser, search: str) -> bool:
    names = (user.email, user.firstname, user.lastname, user.name)
    return any(name.lower().startswith(search) for name in names)


def _user_fields(portal: Portal, user: StubUser) -> Answer:
    return {
        "id": user.id,
        "firstname": user.firstname,
        "lastname": user.lastname,
        "email": user.email,
        "datecreated": user.datecreated,
        "validationdata": "",
        "clients": [
            {"id": client_id, "isOwner": portal.is_owner(user.id, client_id)}
            for client_id in portal.clients_of(user.id)
        ],
    }


def send_email(portal: Portal, args: Args) -> Answer:
    client_id = _id(args, "id")
    if client_id is None:
        raise ApiError("A related ID is required")
    subject, message = args.get("customsubject", ""), args.get("custommessage", "")
    if not subject.strip():
        raise ApiError("A subject is required for a custom message")
    if not message.strip():
        raise ApiError("A message body is required for a custom message")
    if args.get("customtype") != "general":
        raise ApiError("Invalid message type provided")
    client = portal.clients.get(client_id)
    if client is None:
        raise ApiError("Sending Failed. Please see documentation.")
    if not _flag(args.get("nonl2br", "")):
        message = message.replace("\n", "<br>\n")
    portal.emails.append(SentEmail(client.id, client.email, subject, message))
    return _success()


def get_contacts(portal: Portal, args: Args) -> Answer:
    client_id, email = _id(args, "userid"), args.get("email", "").strip().lower()
    matching = [
        contact
        for contact in portal.contacts.values()
        if client_id in (None, contact.client_id) and email in ("", contact.email.lower())
    ]
    start, page = _page(args, matching)
    return _success(
        totalresults=len(matching),
        startnumber=start,
        numreturned=len(page),
        contacts={"contact": [_contact_fields(contact) for contact in page]},
    )


def _contact_fields(contact: StubContact) -> Answer:
    return {
        "id": contact.id,
        "userid": contact.client_id,
        "firstname": contact.firstname,
        "lastname": contact.lastname,
        "companyname": "",
        "email": contact.email,
        **{f"{kind}emails": kind in contact.email_kinds for kind in EMAIL_KINDS},
    }


def add_contact(portal: Portal, args: Args) -> Answer:
    client_id = _id(args, "clientid")
    if client_id is None or client_id not in portal.clients:
        raise ApiError("Client ID Not Found")
    contact = portal.add_contact(
        client_id,
        email=args.get("email", "").strip(),
        firstname=args.get("firstname", ""),
        lastname=args.get("lastname", ""),
        email_kinds=(kind for kind in EMAIL_KINDS if _email_preference(args, kind)),
    )
    return _success(contactid=contact.id)


def update_contact(portal: Portal, args: Args) -> Answer:
    contact = portal.contact(_id(args, "contactid"))
    chosen = {kind: _email_preference(args, kind) for kind in EMAIL_KINDS}
    portal.contacts[contact.id] = replace(
        contact,
        firstname=args.get("firstname", contact.firstname).strip(),
        lastname=args.get("lastname", contact.lastname).strip(),
        email=args.get("email", contact.email).strip(),
        email_kinds=frozenset(
            kind
            for kind, wanted in chosen.items()
            if wanted or (wanted is None and kind in contact.email_kinds)
        ),
    )
    return _success(contactid=contact.id)


def _email_preference(args: Args, kind: str) -> bool | None:
    """``email_preferences[kind]``, or the older ``<kind>emails``; None when neither is sent."""
    for name in (f"email_preferences[{kind}]", f"{kind}emails"):
        if name in args:
            return _flag(args[name])
    return None


def delete_contact(portal: Portal, args: Args) -> Answer:
    contact = portal.contact(_id(args, "contactid"))
    del portal.contacts[contact.id]
    return _success(contactid=contact.id)


ACTIONS: dict[str, Callable[[Portal, Args], Answer]] = {
    "GetClientsDetails": get_clients_details,
    "GetUserPermissions": get_user_permissions,
    "UpdateUserPermissions": update_user_permissions,
    "DeleteUserClient": delete_user_client,
    "CreateClientInvite": create_client_invite,
    "GetUsers": get_users,
    "SendEmail": send_email,
    "GetContacts": get_contacts,
    "AddContact": add_contact,
    "UpdateContact": update_contact,
    "DeleteContact": delete_contact,
}


_BY_LOWER_NAME = {name.lower(): handle for name, handle in ACTIONS.items()}


def knows(action: str) -> bool:
    return action.lower() in _BY_LOWER_NAME


def answer(portal: Portal, action: str, args: Args) -> Answer:
    """The JSON answer to one call of ``action`` (named in any case, as WHMCS allows);
    refusals are ``result: error`` answers."""
    try:
        handle = _BY_LOWER_NAME.get(action.lower())
        if handle is None:
            raise ApiError("Command Not Found")
        return handle(portal, args)
    except ApiError as error:
        return {"result": "error", "message": error.message}
