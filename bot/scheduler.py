"""The clock that drives background work. APScheduler only triggers the sweeps (reminders,
and reconciling connected accounts with WHMCS): what is due lives in the database (never in
APScheduler's job store), so any replica's scheduler may find it, a restart forgets nothing,
and claims in the database keep each message, and each account's sync, to one replica."""

import logging
from datetime import timedelta

from apscheduler.schedulers.background import BackgroundScheduler

from bot.core import BillingAccess
from bot.slack.delivery import Deliverer
from bot.whmcs.sync import PortalSync

log = logging.getLogger(__name__)


def sweep_and_deliver(core: BillingAccess, deliverer: Deliverer) -> None:
    """Expire and owe what is due, then send everything owed (failures wait for a later pass)."""
    report = core.reminders.sweep()
    if report.expired or report.reminded:
        log.info("sweep: %d expired, %d reminders due", report.expired, report.reminded)
    deliverer.deliver_all()


def sync_and_deliver(sync: PortalSync, deliverer: Deliverer) -> None:
    """Reconcile the connected accounts that are due with WHMCS, then tell owners what changed."""
    if sync.run_due():
        deliverer.deliver_all()


def start_scheduler(
    core: BillingAccess,
    deliverer: Deliverer,
    *,
    every: timedelta,
    portal_sync: PortalSync | None = None,
) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone="UTC")
    if portal_sync is not None:
        scheduler.add_job(
            sync_and_deliver,
            "interval",
            args=(portal_sync, deliverer),
            seconds=every.total_seconds(),
            id="portal-sync",
            max_instances=1,
            coalesce=True,
        )
    scheduler.add_job(
        sweep_and_deliver,
        "interval",
        args=(core, deliverer),
        seconds=every.total_seconds(),
        id="sweep",
        max_instances=1,
        coalesce=True,
    )
    scheduler.start()
    return scheduler
