"""Connecting an account to a WHMCS client (DESIGN §9): the owner proves control of the client
with a one-time code WHMCS emails to the client's own address.

The code is kept only as a salted hash, expires after 15 minutes, is used once and dies
after 5 wrong tries. Because it is never stored in plain text, not even in the outbox, its
email is sent while the owner waits: if WHMCS does not answer, nothing is kept and the owner
simply asks again.
"""

import hashlib
import hmac
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from bot.core.context import CoreContext, account_id, record
from bot.core.errors import Conflict, InvalidInput, NotAuthorized, NotFound, Unavailable
from bot.core.invitations import is_open
from bot.core.portal import (
    BillingPortal,
    PortalAuthFailed,
    PortalError,
    PortalNotFound,
)
from bot.core.portal_changes import owe_invite
from storage.tables import Account, PortalConnectCode
from storage.unit_of_work import UniqueViolation

CODE_DIGITS = 8
CODE_LIFETIME = timedelta(minutes=15)
MAX_WRONG_TRIES = 5
SUBJECT = "Your code to connect billing access in Slack"
NOT_CONFIGURED = (
    "This bot is not set up to talk to WHMCS. Whoever runs it sets WHMCS_API_URL, "
    "WHMCS_API_IDENTIFIER and WHMCS_API_SECRET."
)
CONNECTING = "connect the account to WHMCS"
CODE_ASKED = "portal.code_requested"
CODES_PER_WINDOW = 5
CODE_WINDOW = timedelta(hours=1)
TOO_MANY_CODES = (
    f"This account has asked for {CODES_PER_WINDOW} codes in the last hour. Wait a while "
    "before asking again; nothing was sent."
)

Answer = TypeVar("Answer")


def random_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def _hashed(code: str, salt: str | None = None) -> str:
    salt = salt or secrets.token_hex(16)
    digest = hmac.new(salt.encode(), code.encode(), hashlib.sha256).hexdigest()
    return f"{salt}${digest}"


def _matches(code: str, stored: str) -> bool:
    salt = stored.partition("$")[0]
    return hmac.compare_digest(_hashed(code.strip(), salt), stored)


def email_text(code: str) -> str:
    return (
        f"Someone asked to connect this billing account to Slack. The code is {code}.\n"
        "It works once, for 15 minutes. If you did not ask for it, ignore this email."
    )


class ConnectionService:
    def __init__(
        self,
        context: CoreContext,
        portal: BillingPortal | None,
        make_code: Callable[[], str] = random_code,
    ) -> None:
        self._context = context
        self._portal = portal
        self._make_code = make_code

    @property
    def enabled(self) -> bool:
        return self._portal is not None

    def start(self, team_id: str, *, actor: str, client_id: int) -> None:
        """Email a code to the client's own address, if WHMCS has such a client. What the
        owner sees is the same either way (a code is kept that only the email could carry),
        so that no one learns which clients exist, what they are called or who has them."""
        portal = self._require_portal()
        now = self._context.now()
        with self._context.as_owner(team_id, actor, CONNECTING, read_only=True) as (uow, account):
            _require_unconnected(account)
            asked = uow.audit.count_since(account_id(account), CODE_ASKED, now - CODE_WINDOW)
            if asked >= CODES_PER_WINDOW:
                raise Conflict(TOO_MANY_CODES)
        exists = _exists(portal, client_id)
        code = self._make_code()
        with self._context.as_owner(team_id, actor, CONNECTING) as (uow, account):
            _require_unconnected(account)
            existing = uow.connect_codes.for_account(account_id(account))
            if existing is not None:
                uow.connect_codes.delete(existing)
                uow.flush()
            uow.connect_codes.add(
                PortalConnectCode(
                    account_id=account_id(account),
                    whmcs_client_id=client_id,
                    code_hash=_hashed(code),
                    expires_at=now + CODE_LIFETIME,
                )
            )
            record(uow, account, at=now, actor=actor, action=CODE_ASKED, target=_client(client_id))
            uow.commit()
        if not exists:
            return
        try:
            ask(lambda: portal.send_email(client_id, SUBJECT, email_text(code)))
        except Unavailable:
            self._forget_code(account_id(account))
            raise

    def finish(self, team_id: str, *, actor: str, client_id: int, code: str) -> Account:
        """Connect the account if ``code`` is the one emailed for ``client_id``."""
        self._require_portal()
        now = self._context.now()
        with self._context.as_owner(team_id, actor, CONNECTING) as (uow, account):
            _require_unconnected(account)
            waiting = uow.connect_codes.for_account(account_id(account))
            if waiting is None or waiting.whmcs_client_id != client_id:
                raise NotFound(
                    f"No code is waiting for WHMCS client {client_id}. "
                    f"Run `/billing-invite connect {client_id}` first."
                )
            if waiting.expires_at <= now:
                uow.connect_codes.delete(waiting)
                uow.commit()
                raise Conflict(_again(client_id, "That code has expired."))
            if not _matches(code, waiting.code_hash):
                waiting.wrong_tries += 1
                if waiting.wrong_tries >= MAX_WRONG_TRIES:
                    uow.connect_codes.delete(waiting)
                    uow.commit()
                    raise NotAuthorized(_again(client_id, "Too many wrong codes."))
                uow.connect_codes.add(waiting)
                uow.commit()
                left = MAX_WRONG_TRIES - waiting.wrong_tries
                raise InvalidInput(f"That code is not right; {left} more tries before it expires.")
            uow.connect_codes.delete(waiting)
            _require_free(uow.accounts.for_whmcs_client(client_id), client_id)
            account.whmcs_client_id = client_id
            account.portal_sync_due_at = now
            for invitation in uow.invitations.pending(account_id(account)):
                # Accepted in WHMCS from now on: WHMCS must send each its own invite.
                if is_open(invitation, now):
                    invitation.syncing = owe_invite(uow, account, invitation, now)
                    uow.invitations.add(invitation)
            record(
                uow,
                account,
                at=now,
                actor=actor,
                action="portal.connected",
                target=_client(client_id),
            )
            try:
                uow.commit()
            except UniqueViolation:
                raise _taken(client_id) from None
            return account

    def disconnect(self, team_id: str, *, actor: str) -> Account:
        """Unlink the account from WHMCS; the bot keeps its last view of who has access."""
        now = self._context.now()
        with self._context.as_owner(team_id, actor, "disconnect the account from WHMCS") as (
            uow,
            account,
        ):
            if account.whmcs_client_id is None:
                raise Conflict("This account is not connected to WHMCS.")
            client_id = account.whmcs_client_id
            account.whmcs_client_id = None
            account.portal_sync_due_at = None
            record(
                uow,
                account,
                at=now,
                actor=actor,
                action="portal.disconnected",
                target=_client(client_id),
            )
            uow.commit()
            return account

    def _forget_code(self, owner_account_id: int) -> None:
        with self._context.uow() as uow:
            waiting = uow.connect_codes.for_account(owner_account_id)
            if waiting is not None:
                uow.connect_codes.delete(waiting)
                uow.commit()

    def _require_portal(self) -> BillingPortal:
        if self._portal is None:
            raise InvalidInput(NOT_CONFIGURED)
        return self._portal


def _client(client_id: int) -> str:
    return f"WHMCS client {client_id}"


def _exists(portal: BillingPortal, client_id: int) -> bool:
    try:
        ask(lambda: portal.client(client_id))
    except NotFound:
        return False
    return True


def ask(call: Callable[[], Answer]) -> Answer:
    """Ask the portal while a person waits, turning what went wrong into words for them."""
    try:
        return call()
    except PortalNotFound as error:
        raise NotFound(error.message) from None
    except PortalAuthFailed:
        raise Unavailable(
            "WHMCS refused this bot's API credentials. Whoever runs the bot must check "
            "WHMCS_API_IDENTIFIER, WHMCS_API_SECRET and the API's IP allow-list. "
            "Nothing was changed."
        ) from None
    except PortalError as error:
        raise Unavailable(
            f"WHMCS could not do it ({error.message}). Nothing was changed; try again shortly."
        ) from None


def _require_unconnected(account: Account) -> None:
    if account.whmcs_client_id is not None:
        raise Conflict(
            f"This account is already connected to WHMCS client {account.whmcs_client_id}. "
            "Run `/billing-invite disconnect` first to connect another."
        )


def _require_free(holder: Account | None, client_id: int) -> None:
    if holder is not None:
        raise _taken(client_id)


def _taken(client_id: int) -> Conflict:
    return Conflict(f"WHMCS client {client_id} is already connected to another billing account.")


def _again(client_id: int, why: str) -> str:
    return f"{why} Run `/billing-invite connect {client_id}` again for a new one."
