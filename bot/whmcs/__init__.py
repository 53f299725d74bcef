"""The WHMCS adapter: its API client, the settings it needs, and what can go wrong."""

from bot.whmcs.client import (
    EMAIL_KINDS,
    ClientDetails,
    ClientUser,
    Contact,
    User,
    UserClient,
    UserPermissions,
    WhmcsClient,
)
from bot.whmcs.config import WhmcsConfig
from bot.whmcs.errors import (
    AlreadyLinked,
    AuthenticationFailed,
    NotFound,
    Refused,
    Unreachable,
    WhmcsError,
)

__all__ = [
    "EMAIL_KINDS",
    "AlreadyLinked",
    "AuthenticationFailed",
    "ClientDetails",
    "ClientUser",
    "Contact",
    "NotFound",
    "Refused",
    "Unreachable",
    "User",
    "UserClient",
    "UserPermissions",
    "WhmcsClient",
    "WhmcsConfig",
    "WhmcsError",
]
