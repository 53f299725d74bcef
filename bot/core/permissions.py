"""The 13 permissions of the billing system, in the order they are always listed."""

from collections.abc import Iterable
from dataclasses import dataclass

from bot.core.errors import InvalidPermissions


@dataclass(frozen=True)
class Permission:
    key: str
    label: str
    description: str


CATALOGUE: tuple[Permission, ...] = (
    Permission(
        "profile",
        "Modify Master Account Profile",
        "access and modify the client profile information",
    ),
    Permission("contacts", "View & Manage Contacts", "access and manage contacts"),
    Permission(
        "products", "View Products & Services", "view access to products, services and addons"
    ),
    Permission(
        "manageproducts",
        "View & Modify Product Passwords",
        "allow password resets and other actions",
    ),
    Permission("productsso", "Perform Single Sign-On", "allow single sign-on into services"),
    Permission("domains", "View Domains", "view access to domain registrations"),
    Permission(
        "managedomains",
        "Manage Domain Settings",
        "allow domain management, e.g. nameservers, whois, transfers",
    ),
    Permission("invoices", "View & Pay Invoices", "view and payment access to invoices"),
    Permission("quotes", "View & Accept Quotes", "view and acceptance permissions for quotes"),
    Permission(
        "tickets",
        "View & Open Support Tickets",
        "access to open, respond to and manage support tickets",
    ),
    Permission(
        "affiliates", "View & Manage Affiliate Account", "access to view and request withdrawals"
    ),
    Permission("emails", "View Emails", "access to view account email history"),
    Permission("orders", "Place New Orders/Upgrades/Cancellations", "allow placing of new orders"),
)

ALL_KEYS: tuple[str, ...] = tuple(permission.key for permission in CATALOGUE)
BY_KEY: dict[str, Permission] = {permission.key: permission for permission in CATALOGUE}
CONTACTS = "contacts"


def parse_permissions(keys: Iterable[str], *, allow_empty: bool = False) -> tuple[str, ...]:
    """Validate ``keys`` and return them once each, in catalogue order."""
    chosen = set(keys)
    unknown = sorted(chosen - BY_KEY.keys())
    if unknown:
        shown = ", ".join(repr(key[:40]) for key in unknown[:5])
        raise InvalidPermissions(f"Unknown permission: {shown}.")
    if not chosen and not allow_empty:
        raise InvalidPermissions("Choose at least one permission, or use Remove Access.")
    return tuple(key for key in ALL_KEYS if key in chosen)


def labels(keys: Iterable[str]) -> list[str]:
    """The labels of ``keys`` in catalogue order."""
    chosen = set(keys)
    return [permission.label for permission in CATALOGUE if permission.key in chosen]
