"""Carrying the owner's changes to WHMCS: the outbox's ``portal_*`` messages (DESIGN §9).

WHMCS's calls are not idempotent and an answer can be lost after the change was made. So a
call whose outcome is unknown is retried only after checking whether its effect is already
there (the email linked, the user gone, the contact added or gone). An invitation is the one
effect WHMCS cannot show (it lists no invites): it is sent again only if the invitee is not
yet a user. A refusal goes to the owner in WHMCS's words; a refusal of the bot's own
credentials waits, however long, for a person to fix them.
"""

import logging
from collections.abc import Callable, Mapping

from bot.core import BillingAccess
from bot.core.outbox import Job, RetryLater
from bot.core.portal import (
    BillingPortal,
    PortalAlreadyLinked,
    PortalAuthFailed,
    PortalNotFound,
    PortalRefused,
    PortalUnreachable,
)
from bot.core.reconcile import portal_email
from storage.tables import InvitationStatus, OutboxKind

log = logging.getLogger(__name__)

Check = Callable[[], bool]


class PortalSender:
    def __init__(self, core: BillingAccess, portal: BillingPortal) -> None:
        self._core = core
        self._portal = portal

    def senders(self) -> Mapping[OutboxKind, Callable[[Job], str]]:
        return {
            OutboxKind.PORTAL_INVITE: self._invite,
            OutboxKind.PORTAL_PERMISSIONS: self._set_permissions,
            OutboxKind.PORTAL_REMOVE: self._remove,
            OutboxKind.PORTAL_CONTACT_ADD: self._add_contact,
            OutboxKind.PORTAL_CONTACT_REMOVE: self._remove_contact,
        }

    def _invite(self, job: Job) -> str:
        client, email = _client(job), _email(job)
        invitation = job.invitation
        if invitation is not None and invitation.status != InvitationStatus.PENDING:
            return self._drop(job, f"invitation {invitation.status.value} before it was sent")
        return self._carry(
            job,
            lambda: self._portal.invite(client, email, _permissions(job)),
            done_already=lambda: self._user_id(client, email) is not None,
        )

    def _set_permissions(self, job: Job) -> str:
        client = _client(job)
        return self._carry(
            job, lambda: self._portal.set_permissions(client, self._user(job), _permissions(job))
        )

    def _remove(self, job: Job) -> str:
        client = _client(job)
        return self._carry(
            job,
            lambda: self._portal.remove_user(client, self._user(job)),
            done_already=lambda: self._user_id(client, _email(job)) is None,
            gone_is_done=True,
        )

    def _add_contact(self, job: Job) -> str:
        client, email, payload = _client(job), _email(job), job.outbox.payload
        kinds = [str(kind) for kind in payload.get("email_kinds", [])]
        name = str(payload.get("name", ""))

        def add() -> int:
            existing = self._contact_id(client, email) if job.uncertain else None
            return existing or self._portal.add_contact(client, email, name, kinds)

        return self._carry(job, add)

    def _remove_contact(self, job: Job) -> str:
        client, email = _client(job), _email(job)

        def remove() -> None:
            recorded = job.outbox.payload.get("whmcs_contact_id")
            contact_id = int(recorded) if recorded else self._contact_id(client, email)
            if contact_id is not None:  # else it never reached WHMCS: nothing to remove
                self._portal.remove_contact(contact_id)

        return self._carry(
            job,
            remove,
            done_already=lambda: self._contact_id(client, email) is None,
            gone_is_done=True,
        )

    def _carry(
        self,
        job: Job,
        call: Callable[[], object],
        *,
        done_already: Check | None = None,
        gone_is_done: bool = False,
    ) -> str:
        """``gone_is_done``: a removal WHMCS cannot find (already gone) is done, not refused."""
        if job.account.whmcs_client_id != _client(job):
            return self._drop(job, "the account was disconnected before it was sent")
        try:
            checked = job.uncertain and done_already is not None and done_already()
            result = None if checked else call()
        except PortalNotFound as missing:
            if not gone_is_done:
                self._core.portal_changes.refused(job, missing.message)
                return ""
            result = None
        except PortalAlreadyLinked:
            # Only an invite hears this: the invitee is a user of the client already, which
            # is what inviting them is for; reconciling closes the invitation as accepted.
            result = None
        except PortalRefused as refusal:
            self._core.portal_changes.refused(job, refusal.message)
            return ""
        except PortalUnreachable:
            # An outage only delays: the change waits for WHMCS however long it is down.
            raise RetryLater("WHMCS did not answer", uncertain=True, give_up=False) from None
        except PortalAuthFailed:
            log.warning("WHMCS refused the bot's API credentials; message %s waits", job.id)
            raise RetryLater("WHMCS refused the credentials", give_up=False) from None
        contact_id = result if isinstance(result, int) else None
        self._core.portal_changes.confirmed(job, whmcs_contact_id=contact_id)
        return ""

    def _drop(self, job: Job, why: str) -> str:
        """Nothing to carry any more: the row it concerns stops showing "syncing"."""
        self._core.portal_changes.confirmed(job, outcome=why)
        return ""

    def _user(self, job: Job) -> int:
        """The WHMCS user the change is for: as recorded, else found by email."""
        recorded = job.outbox.payload.get("user_id")
        found = int(recorded) if recorded else self._user_id(_client(job), _email(job))
        if found is None:
            raise PortalNotFound(f"{_email(job)} is not a user of the client in WHMCS")
        return found

    def _user_id(self, client_id: int, email: str) -> int | None:
        for user in self._portal.client(client_id).users:
            if _same(user.email, email):
                return user.id
        return None

    def _contact_id(self, client_id: int, email: str) -> int | None:
        for contact in self._portal.contacts(client_id):
            if _same(contact.email, email):
                return contact.id
        return None


def _client(job: Job) -> int:
    return int(job.outbox.payload["client_id"])


def _email(job: Job) -> str:
    return str(job.outbox.payload.get("email", ""))


def _permissions(job: Job) -> list[str]:
    return [str(key) for key in job.outbox.payload.get("permissions", [])]


def _same(theirs: str, ours: str) -> bool:
    return portal_email(theirs) == ours
