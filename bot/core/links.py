"""The emailed link to an invitation (DESIGN §11): a random token of 256 bits, of which only
the SHA-256 is stored. It dies with the invitation (accepted, declined, revoked, expired) and
when the invitation is resent, which sends a new link."""

import hashlib
import re
import secrets
from dataclasses import dataclass

from bot.core.context import CoreContext
from bot.core.invitations import InvitationService, Response, is_open
from storage.tables import Account, Invitation

TOKEN_BYTES = 32
WELL_FORMED = re.compile(r"[A-Za-z0-9_-]{43}")
"""What ``secrets.token_urlsafe(TOKEN_BYTES)`` makes: anything else is not worth a lookup."""


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def is_well_formed(token: str) -> bool:
    return WELL_FORMED.fullmatch(token) is not None


@dataclass(frozen=True)
class Linked:
    """What a live link's page shows: the invitation, its account, and whether it can still
    be answered (False once expired, before the sweep closes it)."""

    account: Account
    invitation: Invitation
    answerable: bool


class LinkService:
    def __init__(self, context: CoreContext, invitations: InvitationService) -> None:
        self._context = context
        self._invitations = invitations

    def issue(self, invitation_id: int, *, inviter_name: str) -> str | None:
        """A new token for the open invitation, replacing its earlier link; None once the
        invitation can no longer be answered."""
        token = new_token()
        with self._context.uow() as uow:
            invitation = uow.invitations.get(invitation_id, for_update=True)
            if invitation is None or not is_open(invitation, self._context.now()):
                return None
            invitation.link_hash = token_hash(token)
            invitation.inviter_name = inviter_name[:200]
            uow.invitations.add(invitation)
            uow.commit()
        return token

    def find(self, token: str) -> Linked | None:
        """The invitation whose live link carries ``token``, or None (malformed, unknown or
        dead alike)."""
        if not is_well_formed(token):
            return None
        with self._context.uow(read_only=True) as uow:
            invitation = uow.invitations.by_link_hash(token_hash(token))
            if invitation is None:
                return None
            account = uow.accounts.get(invitation.account_id)
            assert account is not None
            return Linked(account, invitation, is_open(invitation, self._context.now()))

    def answer(self, token: str, *, accept: bool) -> Response:
        """Accept or decline through the link, by the same path as the buttons in Slack."""
        return self._invitations.answer_link(token_hash(token), accept=accept)
