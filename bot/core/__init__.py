"""The product's rules, with no Slack in them. Build it with ``BillingAccess.create``."""

from dataclasses import dataclass
from datetime import timedelta

from bot.core.accounts import AccountService
from bot.core.audit import AuditService
from bot.core.channels import ChannelService
from bot.core.clock import Clock, utc_now
from bot.core.connection import ConnectionService
from bot.core.contacts import ContactService
from bot.core.context import DEFAULT_TIMINGS, CoreContext, Timings
from bot.core.invitations import InvitationService
from bot.core.links import LinkService
from bot.core.members import MemberService
from bot.core.outbox import OutboxService
from bot.core.portal import BillingPortal
from bot.core.portal_changes import PortalChangeService
from bot.core.reconcile import ReconcileService
from bot.core.reminders import ReminderService
from bot.core.workspaces import WorkspaceService
from storage.unit_of_work import UnitOfWorkFactory

__all__ = ["DEFAULT_TIMINGS", "BillingAccess", "Clock", "Timings", "utc_now"]


@dataclass(frozen=True)
class BillingAccess:
    """Every core service, sharing one unit-of-work factory, clock and default timings."""

    accounts: AccountService
    invitations: InvitationService
    members: MemberService
    contacts: ContactService
    audit: AuditService
    outbox: OutboxService
    reminders: ReminderService
    channels: ChannelService
    connection: ConnectionService
    reconcile: ReconcileService
    portal_changes: PortalChangeService
    links: LinkService
    workspaces: WorkspaceService

    @classmethod
    def create(
        cls,
        uow: UnitOfWorkFactory,
        *,
        clock: Clock = utc_now,
        defaults: Timings = DEFAULT_TIMINGS,
        portal: BillingPortal | None = None,
        sync_every: timedelta = timedelta(minutes=5),
    ) -> "BillingAccess":
        context = CoreContext(uow, clock, defaults)
        invitations = InvitationService(context)
        return cls(
            AccountService(context),
            invitations,
            MemberService(context),
            ContactService(context),
            AuditService(context),
            OutboxService(context),
            ReminderService(context),
            ChannelService(context),
            ConnectionService(context, portal),
            ReconcileService(context, sync_every),
            PortalChangeService(context),
            LinkService(context, invitations),
            WorkspaceService(context),
        )
