"""What can go wrong calling WHMCS, as kinds the core treats differently.

Messages name the action and WHMCS's own words, never a credential.
"""


class WhmcsError(Exception):
    """A WHMCS call did not succeed."""

    def __init__(self, action: str, detail: str) -> None:
        super().__init__(f"WHMCS {action}: {detail}")
        self.action = action


class Unreachable(WhmcsError):
    """No usable answer (timeout, connection error, HTTP 5xx, an HTML page): the outcome is
    unknown, and the call may have taken effect."""


class AuthenticationFailed(WhmcsError):
    """WHMCS refused the caller, not the request: bad credentials, an address outside the API's
    IP allow-list, or an API role without this action. A person must fix the set-up."""

    def __init__(self, action: str, message: str) -> None:
        super().__init__(action, f"refused the bot's access: {message}")
        self.message = message


class Refused(WhmcsError):
    """WHMCS answered ``result: error``; ``message`` is its own words, fit to show the owner.
    Nothing was changed."""

    def __init__(self, action: str, message: str) -> None:
        super().__init__(action, f"refused: {message}")
        self.message = message


class NotFound(Refused):
    """The client, user or contact named does not exist, or the user is not linked to the
    client."""


class AlreadyLinked(Refused):
    """The email is already a user of the client."""
