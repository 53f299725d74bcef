"""The outbox's sender of invitation emails: a fresh link each time, then SMTP."""

import logging
import smtplib
from collections.abc import Callable

from bot.core import BillingAccess, Clock
from bot.core.invitations import is_open
from bot.core.outbox import Job, RetryLater
from bot.mail.config import MailConfig
from bot.mail.facts import facts_of
from bot.mail.message import invitation_email
from bot.mail.smtp import Mailer
from storage.tables import Account

log = logging.getLogger(__name__)


class InvitationMailer:
    def __init__(
        self,
        core: BillingAccess,
        config: MailConfig,
        mailer: Mailer,
        clock: Clock,
        name_of: Callable[[Account, str], str],
    ) -> None:
        """``name_of``: a Slack user's name in the account's workspace, as the email names
        the inviter."""
        self._core = core
        self._config = config
        self._mailer = mailer
        self._clock = clock
        self._name_of = name_of

    def send(self, job: Job) -> str:
        invitation = job.invitation
        assert invitation is not None
        assert invitation.id is not None
        if not is_open(invitation, self._clock()):
            return "closed before it was sent"
        inviter = self._name_of(job.account, invitation.invited_by_user_id)
        token = self._core.links.issue(invitation.id, inviter_name=inviter)
        if token is None:
            return "closed before it was sent"
        link = f"{self._config.public_url}/invitations/{token}"
        facts = facts_of(job.account, invitation, inviter)
        message = invitation_email(facts, link, sender=self._config.sender, now=self._clock())
        try:
            self._mailer.send(message)
        except smtplib.SMTPRecipientsRefused:
            return "refused: the SMTP server would not take the invitee's address"
        except smtplib.SMTPAuthenticationError as error:
            log.warning(
                "the SMTP server refused the login (%s); email %s waits", error.smtp_code, job.id
            )
            raise RetryLater("SMTP login refused", give_up=False) from None
        return "sent"
