"""Domain errors: each message is meant to be shown to the person who caused it."""


class DomainError(Exception):
    """A rule of the product was broken; nothing was changed."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotAuthorized(DomainError):
    """The caller may not do this."""


class InvalidInput(DomainError):
    """Something typed or chosen is malformed."""


class InvalidEmail(InvalidInput):
    """An email address does not parse."""

    def __init__(self, raw: str, reason: str) -> None:
        shown = raw if len(raw) <= 80 else raw[:77] + "..."
        super().__init__(f"“{shown}” is not a valid email address: {reason}")
        self.raw = raw


class InvalidPermissions(InvalidInput):
    """A permission set is empty or names keys that do not exist."""


class NotFound(DomainError):
    """What was asked for does not exist."""


class Conflict(DomainError):
    """The request clashes with the current state (already exists, already done)."""


class AlreadyMember(Conflict):
    """The email already has access; permissions are changed with Manage Permissions."""

    def __init__(self, email: str) -> None:
        super().__init__(
            f"{email} already has access. Use Manage Permissions to change what they may do."
        )
        self.email = email


class AlreadyInvited(Conflict):
    """A pending invitation exists; it can be resent instead."""

    def __init__(self, email: str) -> None:
        super().__init__(f"{email} already has a pending invitation. You can resend it.")
        self.email = email


class InvitationClosed(Conflict):
    """The invitation was accepted, declined, revoked or has expired."""


class Unavailable(DomainError):
    """An outside system needed to do this did not answer or refused the bot; nothing changed."""
