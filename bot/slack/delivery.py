"""Sending what the core owes people (the outbox), once each, retrying what Slack refused."""

import logging
from collections.abc import Callable
from datetime import timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.blocks import messages
from bot.blocks.messages import Message
from bot.core import BillingAccess
from bot.core.outbox import Job
from bot.slack.people import user_id_for_email
from storage.tables import InvitationStatus, OutboxKind

log = logging.getLogger(__name__)

TRANSIENT_ERRORS = {
    "ratelimited",
    "service_unavailable",
    "internal_error",
    "fatal_error",
    "request_timeout",
}


class Deliverer:
    def __init__(self, core: BillingAccess, client: WebClient) -> None:
        self._core = core
        self._client = client
        self._senders: dict[OutboxKind, Callable[[Job], str]] = {
            OutboxKind.INVITATION: self._send_invitation,
            OutboxKind.INVITATION_CLOSED: self._update_invitation,
            OutboxKind.OWNER_OUTCOME: self._tell_owner,
            OutboxKind.MEMBER_PERMISSIONS: self._tell_member_permissions,
            OutboxKind.MEMBER_REMOVED: self._tell_member_removed,
        }

    def deliver_due(self, *, limit: int = 50) -> int:
        """Send every message that is due now; returns how many were handled."""
        jobs = self._core.outbox.claim(limit=limit)
        for job in jobs:
            self._deliver(job)
        return len(jobs)

    def _deliver(self, job: Job) -> None:
        try:
            outcome = self._senders[job.outbox.kind](job)
        except SlackApiError as error:
            self._failed(job, error)
        except (SlackClientError, OSError) as error:
            self._core.outbox.retry_later(job, f"unreachable: {type(error).__name__}")
        else:
            if outcome:
                self._core.outbox.done(job, outcome)

    def _failed(self, job: Job, error: SlackApiError) -> None:
        code = str(error.response.get("error", "")) or f"http {error.response.status_code}"
        if code in TRANSIENT_ERRORS or error.response.status_code >= 500:
            self._core.outbox.retry_later(job, code, at_least=_retry_after(error))
            return
        log.warning("Slack refused %s message %s: %s", job.outbox.kind.value, job.id, code)
        self._core.outbox.done(job, f"refused: {code}")

    def _send_invitation(self, job: Job) -> str:
        invitation = job.invitation
        assert invitation is not None
        if invitation.status != InvitationStatus.PENDING:
            return "closed before it was sent"
        user_id = user_id_for_email(self._client, invitation.email)
        if user_id is None:
            return "not in the workspace yet"
        channel = self._client.conversations_open(users=user_id)["channel"]["id"]
        sent = self._post(channel, messages.invitation_dm(job.account, invitation))
        self._core.outbox.record_invitation_dm(job, user_id=user_id, channel_id=channel, ts=sent)
        return ""

    def _update_invitation(self, job: Job) -> str:
        invitation = job.invitation
        assert invitation is not None
        if not (invitation.dm_channel_id and invitation.dm_ts):
            return "no message to update"
        message = messages.invitation_closed_dm(job.account, invitation)
        self._client.chat_update(
            channel=invitation.dm_channel_id,
            ts=invitation.dm_ts,
            text=message.text,
            blocks=message.blocks,
        )
        return "updated"

    def _tell_owner(self, job: Job) -> str:
        assert job.invitation is not None
        message = messages.owner_outcome_notice(job.account, job.invitation)
        self._post(job.account.owner_user_id, message)
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
        self._post(job.outbox.recipient_user_id, message)
        return "sent"

    def _post(self, channel: str, message: Message) -> str:
        response = self._client.chat_postMessage(
            channel=channel, text=message.text, blocks=message.blocks
        )
        return str(response["ts"])


def _retry_after(error: SlackApiError) -> timedelta:
    seconds = error.response.headers.get("Retry-After") or error.response.headers.get("retry-after")
    return timedelta(seconds=int(seconds)) if str(seconds or "").isdigit() else timedelta(0)
