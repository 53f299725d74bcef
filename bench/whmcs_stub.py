"""The stand-in WHMCS of tests/whmcs_stub in a process of its own, so that it never competes for
a GIL with what is measured: ``python -m bench.whmcs_stub CLIENTS USERS CONTACTS LATENCY_S``
makes CLIENTS clients, each with its owner, USERS more users and CONTACTS contacts, answers
every call after LATENCY_S seconds, and prints its address and the client ids as one JSON
line. Then it answers one JSON line per command read from its standard input, until that is
closed:

- ``stats``: the calls that reached it (by action), the most handled at once, the TCP
  connections accepted, since the start or the last ``reset``;
- ``reset``: forget the calls and the load seen;
- ``change N``: in every N-th client, its owner makes four changes in the client area (a user
  added, a user removed, a user's permissions edited, a contact added); answers how many
  clients changed.
"""

import json
import sys
from typing import Any

from tests.whmcs_stub import PERMISSIONS, WhmcsStub
from tests.whmcs_stub.portal import Portal, StubUser

IDENTIFIER = "bench-whmcs-identifier"
SECRET = "bench-whmcs-secret"
CHANGES_PER_CLIENT = 4
"""What ``change`` does in each client it changes, as the bot counts it: four changes."""

_ROLES = (
    ("invoices", "quotes", "tickets"),
    ("profile", "contacts", "invoices", "emails"),
    ("products", "manageproducts", "domains", "managedomains", "tickets"),
)
"""The permission sets users are given in turn."""


def client_email(n: int) -> str:
    return f"client{n:05d}@whmcs.bench.example.com"


def user_email(n: int, u: int) -> str:
    return f"user{n:05d}-{u:03d}@whmcs.bench.example.com"


def contact_email(n: int, c: int) -> str:
    return f"contact{n:05d}-{c:03d}@whmcs.bench.example.com"


class _IndexedPortal(Portal):
    """The stand-in's install with its users indexed by email: the same answers, but 21,000
    users are made in seconds instead of the minutes a scan per new user takes."""

    def __init__(self) -> None:
        super().__init__()
        self._by_email: dict[str, StubUser] = {}

    def user_by_email(self, email: str) -> StubUser | None:
        return self._by_email.get(email.strip().lower())

    def add_user(self, email: str, name: str = "") -> StubUser:
        user = super().add_user(email, name)
        self._by_email[user.email.lower()] = user
        return user


def _seed(stub: WhmcsStub, clients: int, users: int, contacts: int) -> list[int]:
    ids = []
    for n in range(clients):
        client_id = stub.add_client(
            client_email(n), firstname="Owner", lastname=f"{n}", companyname=f"Bench Client {n}"
        )
        for u in range(users):
            stub.portal_add_user(
                client_id, user_email(n, u), _ROLES[u % len(_ROLES)], name=f"User {n} {u}"
            )
        for c in range(contacts):
            stub.portal_add_contact(
                client_id,
                contact_email(n, c),
                name=f"Contact {n} {c}",
                email_kinds=("general", "invoice") if c % 2 else ("invoice",),
            )
        ids.append(client_id)
    return ids


def _change(stub: WhmcsStub, clients: list[int], every: int) -> int:
    changed = clients[::every]
    for n, client_id in enumerate(changed):
        owner = stub.owner_user_id(client_id)
        others = [link.user_id for link in stub.users_of(client_id) if link.user_id != owner]
        stub.portal_remove_user(client_id, others[0])
        stub.portal_set_permissions(client_id, others[1], PERMISSIONS)
        stub.portal_add_user(client_id, f"late{n:05d}@whmcs.bench.example.com", ("invoices",))
        stub.portal_add_contact(client_id, f"latecontact{n:05d}@whmcs.bench.example.com")
    return len(changed)


def _stats(stub: WhmcsStub) -> dict[str, Any]:
    by_action: dict[str, int] = {}
    for call in stub.calls + stub.failed_calls:
        by_action[call.action] = by_action.get(call.action, 0) + 1
    return {
        "calls": sum(by_action.values()),
        "refused": sum(not call.ok for call in stub.calls) + len(stub.failed_calls),
        "by_action": by_action,
        "max_concurrent": stub.max_concurrent_requests,
        "connections": stub.connections_opened,
    }


def main() -> None:
    clients, users, contacts = map(int, sys.argv[1:4])
    latency = float(sys.argv[4])
    stub = WhmcsStub(IDENTIFIER, SECRET, latency_seconds=latency)
    stub._portal = _IndexedPortal()  # before any data: the stub's own install, indexed
    with stub:
        ids = _seed(stub, clients, users, contacts)
        print(json.dumps({"api_url": stub.api_url, "clients": ids}), flush=True)
        for line in sys.stdin:
            command, *args = line.split()
            answer: dict[str, Any]
            if command == "stats":
                answer = _stats(stub)
            elif command == "reset":
                stub.reset_calls()
                answer = {"ok": True}
            elif command == "change":
                answer = {"changed": _change(stub, ids, int(args[0]))}
            else:
                answer = {"error": f"unknown command {command!r}"}
            print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
