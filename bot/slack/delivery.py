"""Sending what the core owes people (the outbox), once each, retrying what Slack refused."""

import logging
import threading
import time
from collections.abc import Callable, Mapping
from datetime import timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.blocks import messages
from bot.blocks.channel import channel_paused_notice
from bot.blocks.messages import Message
from bot.coalesce import OnePassAtATime
from bot.core import BillingAccess, Clock
from bot.core.channels import ChannelProblem
from bot.core.invitations import is_open
from bot.core.outbox import Job, RetryLater
from bot.metrics import DELIVERIES
from bot.slack.channels import CHANNEL_PROBLEMS, error_code
from bot.slack.client import NotInstalled, SlackClients, client_of
from bot.slack.people import user_id_for_email
from storage.tables import CHANNEL_KINDS, InvitationStatus, OutboxKind

log = logging.getLogger(__name__)

DELIVERY_BATCH = 50

AUTH_ERRORS = {
    # A person must fix these (reinstall the app, grant what it asks): wait, never give up.
    "account_inactive",
    "invalid_auth",
    "not_authed",
    "token_expired",
    "token_revoked",
    "missing_scope",
}
DEAD_TOKEN_ERRORS = {"token_revoked", "invalid_auth", "account_inactive"}
"""The workspace's token no longer works: the workspace is paused until it is installed again."""
TRANSIENT_ERRORS = {
    "ratelimited",
    "service_unavailable",
    "internal_error",
    "fatal_error",
    "request_timeout",
}


Sender = Callable[[Job], str]
"""Carries one message; returns its outcome, or "" when it carried it and recorded that."""
SENT = {"", "sent", "updated"}
"""Outcomes of a message carried; any other says why it was not needed any more."""


class Deliverer:
    def __init__(
        self,
        core: BillingAccess,
        clients: SlackClients,
        clock: Clock,
        others: Mapping[OutboxKind, Sender] | None = None,
    ) -> None:
        """``others``: the senders of other outside systems (WHMCS, email), by the kinds they
        carry; invitees not in the workspace are emailed when ``others`` carries emails."""
        self._core = core
        self._clients = clients
        self._clock = clock
        self._senders: dict[OutboxKind, Sender] = {
            OutboxKind.INVITATION: self._send_invitation,
            OutboxKind.INVITATION_CLOSED: self._update_invitation,
            OutboxKind.OWNER_OUTCOME: self._tell_owner,
            OutboxKind.MEMBER_PERMISSIONS: self._tell_member_permissions,
            OutboxKind.MEMBER_REMOVED: self._tell_member_removed,
            OutboxKind.REMINDER: self._remind_channel,
            OutboxKind.INVITEE_NUDGE: self._nudge_invitee,
            OutboxKind.EXPIRY_NOTICE: self._announce_expiry,
            OutboxKind.CHANNEL_PAUSED: self._tell_owner_channel_paused,
            OutboxKind.PORTAL_NEWS: self._tell_owner_portal_news,
            **(others or {}),
        }
        self._pacer = ChannelPacer()
        self.deliver_owed = OnePassAtATime(self.deliver_all)
        """``deliver_all`` for what a change just owed: while a pass runs, the changes of many
        requests are sent by one more pass after it, not by passes beside it contending for
        the same rows."""

    def deliver_due(self, *, limit: int = DELIVERY_BATCH) -> int:
        """Send every message that is due now; returns how many were handled."""
        jobs = self._core.outbox.claim(limit=limit)
        for job in jobs:
            self._deliver(job)
        return len(jobs)

    def deliver_all(self) -> int:
        """Send until a pass finds nothing due; returns how many were handled. A first DM held
        back while another DM to the same invitee was in flight is claimed by a later pass."""
        handled = 0
        while handled_now := self.deliver_due():
            handled += handled_now
        return handled

    def _deliver(self, job: Job) -> None:
        DELIVERIES.labels(job.outbox.kind.value, self._carry(job)).inc()

    def _carry(self, job: Job) -> str:
        """Send one message and record what became of it; returns that, in one word."""
        try:
            outcome = self._senders[job.outbox.kind](job)
        except SlackApiError as error:
            return self._failed(job, error)
        except NotInstalled:
            self._core.outbox.retry_later(job, "not installed", give_up=False)
            return "waiting"
        except (SlackClientError, OSError) as error:
            self._core.outbox.retry_later(job, f"unreachable: {type(error).__name__}")
            return "retry"
        except RetryLater as later:
            self._core.outbox.retry_later(
                job, later.reason, give_up=later.give_up, uncertain=later.uncertain
            )
            return "retry"
        if outcome:
            self._core.outbox.done(job, outcome)
        return "sent" if outcome in SENT else "not needed"

    def _failed(self, job: Job, error: SlackApiError) -> str:
        code = error_code(error)
        if code in TRANSIENT_ERRORS or error.response.status_code >= 500:
            self._core.outbox.retry_later(job, code, at_least=_retry_after(error))
            return "retry"
        if job.outbox.kind in CHANNEL_KINDS and code in CHANNEL_PROBLEMS:
            self._keep_for_channel(job, CHANNEL_PROBLEMS[code], code)
            return "kept"
        if code in AUTH_ERRORS:
            log.warning("Slack refused the bot's token (%s); message %s waits", code, job.id)
            self._core.outbox.retry_later(job, code, give_up=False)
            if code in DEAD_TOKEN_ERRORS:
                token = self._client(job).token
                self._clients.token_refused(job.account.team_id, code, token)
            return "waiting"
        log.warning("Slack refused %s message %s: %s", job.outbox.kind.value, job.id, code)
        self._core.outbox.done(job, f"refused: {code}")
        return "refused"

    def _keep_for_channel(self, job: Job, problem: ChannelProblem, code: str) -> None:
        """Keep the channel's messages until a person fixes the channel; a message meant for
        a channel the account no longer uses goes to its new one on the next pass."""
        channel = job.account.reminders_channel_id
        self._core.channels.cannot_post(job.account.team_id, channel, problem)
        # Not due again while the channel has the problem; never given up for it.
        self._core.outbox.retry_later(job, code, give_up=False)

    def _send_invitation(self, job: Job) -> str:
        invitation = job.invitation
        assert invitation is not None
        if invitation.status != InvitationStatus.PENDING:
            return "closed before it was sent"
        if job.is_first_dm and invitation.dm_ts:
            return "reached them already"
        client = self._client(job)
        user_id = user_id_for_email(client, invitation.email)
        if user_id is None:
            return self._not_in_workspace(job)
        channel = client.conversations_open(users=user_id)["channel"]["id"]
        sent = self._post(job, channel, messages.invitation_dm(job.account, invitation))
        self._core.outbox.record_invitation_dm(job, user_id=user_id, channel_id=channel, ts=sent)
        return ""

    def _not_in_workspace(self, job: Job) -> str:
        """Email the invitee when emails are on and WHMCS (which sends its own) is not."""
        if OutboxKind.INVITATION_EMAIL not in self._senders or job.account.whmcs_client_id:
            return "not in the workspace yet"
        self._core.outbox.email_instead(job)
        return ""

    def _update_invitation(self, job: Job) -> str:
        invitation = job.invitation
        assert invitation is not None
        if not (invitation.dm_channel_id and invitation.dm_ts):
            return "no message to update"
        message = messages.invitation_closed_dm(job.account, invitation)
        self._client(job).chat_update(
            channel=invitation.dm_channel_id,
            ts=invitation.dm_ts,
            text=message.text,
            blocks=message.blocks,
        )
        return "updated"

    def _remind_channel(self, job: Job) -> str:
        still_pending = [i for i in job.invitations if is_open(i, self._clock())]
        if not still_pending:
            return "answered before the reminder went out"
        message = messages.reminder_digest(job.account, still_pending, self._clock())
        self._post_to_channel(job, message)
        self._core.outbox.record_reminder(job, still_pending)
        return ""

    def _nudge_invitee(self, job: Job) -> str:
        invitation = job.invitation
        assert invitation is not None
        if not is_open(invitation, self._clock()):
            return "answered before the nudge went out"
        client = self._client(job)
        user_id = invitation.invitee_user_id or user_id_for_email(client, invitation.email)
        if user_id is None:
            return "not in the workspace"
        self._post(job, user_id, messages.invitation_nudge(job.account, invitation))
        return "sent"

    def _announce_expiry(self, job: Job) -> str:
        message = messages.expiry_notice(job.account, job.invitations, self._clock())
        self._post_to_channel(job, message)
        return "sent"

    def _tell_owner_channel_paused(self, job: Job) -> str:
        if job.account.channel_problem is None:
            return "resumed before the notice went out"
        self._post(job, job.account.owner_user_id, channel_paused_notice(job.account))
        return "sent"

    def _tell_owner_portal_news(self, job: Job) -> str:
        lines = [str(line) for line in job.outbox.payload.get("lines", [])]
        self._post(job, job.account.owner_user_id, messages.portal_news(job.account, lines))
        return "sent"

    def _post_to_channel(self, job: Job, message: Message) -> None:
        channel = job.account.reminders_channel_id
        self._pacer.wait_turn(channel)
        self._post(job, channel, message)

    def _tell_owner(self, job: Job) -> str:
        assert job.invitation is not None
        message = messages.owner_outcome_notice(job.account, job.invitation)
        self._post(job, job.account.owner_user_id, message)
        return "sent"

    def _tell_member_permissions(self, job: Job) -> str:
        payload = job.outbox.payload
        message = messages.member_permissions_notice(
            job.account,
            str(payload.get("email", "")),
            list(payload.get("before", [])),
            list(payload.get("after", [])),
        )
        return self._post_to_recipient(job, message)

    def _tell_member_removed(self, job: Job) -> str:
        return self._post_to_recipient(job, messages.member_removed_notice(job.account))

    def _post_to_recipient(self, job: Job, message: Message) -> str:
        if job.outbox.recipient_user_id is None:
            return "no Slack user to tell"
        self._post(job, job.outbox.recipient_user_id, message)
        return "sent"

    def _client(self, job: Job) -> WebClient:
        """The client of the workspace whose account the message belongs to."""
        return client_of(self._clients, job.account)

    def _post(self, job: Job, channel: str, message: Message) -> str:
        response = self._client(job).chat_postMessage(
            channel=channel, text=message.text, blocks=message.blocks
        )
        return str(response["ts"])


def _retry_after(error: SlackApiError) -> timedelta:
    seconds = error.response.headers.get("Retry-After") or error.response.headers.get("retry-after")
    return timedelta(seconds=int(seconds)) if str(seconds or "").isdigit() else timedelta(0)


class ChannelPacer:
    """Keeps this process to about one message per second per channel, as Slack asks."""

    def __init__(
        self,
        interval: float = 1.0,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._interval = interval
        self._monotonic = monotonic
        self._sleep = sleep
        self._next_free: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait_turn(self, channel: str) -> None:
        with self._lock:
            now = self._monotonic()
            turn = max(now, self._next_free.get(channel, now))
            self._next_free[channel] = turn + self._interval
        if turn > now:
            self._sleep(turn - now)
