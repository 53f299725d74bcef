"""Reconciling due connected accounts with WHMCS, a bounded number at a time (DESIGN §9).

Each pass claims the accounts that are due (one replica gets each, see
``ReconcileService.claim_due``), reads each from WHMCS in a small pool of threads, and applies
what WHMCS says. An account WHMCS cannot be asked about now is tried again next interval.
"""

import logging
from concurrent.futures import ThreadPoolExecutor

from bot.core import BillingAccess
from bot.core.portal import BillingPortal, PortalError
from bot.core.reconcile import Claim, read_portal

log = logging.getLogger(__name__)


class PortalSync:
    def __init__(self, core: BillingAccess, portal: BillingPortal, *, concurrency: int) -> None:
        self._core = core
        self._portal = portal
        self._pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="whmcs-sync")

    def run_due(self) -> int:
        """Reconcile every account due now; returns how many were claimed."""
        claimed = self._core.reconcile.claim_due()
        list(self._pool.map(self._sync, claimed))
        return len(claimed)

    def _sync(self, claim: Claim) -> None:
        try:
            view = read_portal(self._portal, claim.client_id)
        except PortalError as error:
            log.warning("could not read WHMCS client %s: %s", claim.client_id, type(error).__name__)
            return
        self._core.reconcile.apply(claim, view)

    def close(self) -> None:
        self._pool.shutdown(wait=False)
