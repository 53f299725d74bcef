"""Reconciling due connected accounts with WHMCS, a bounded number at a time (DESIGN §9).

Each pass claims the accounts that are due (one replica gets each, see
``ReconcileService.claim_due``), reads each from WHMCS in a small pool of threads, and applies
what WHMCS says. An account WHMCS cannot be asked about now is tried again next interval.
"""

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from bot.core import BillingAccess
from bot.core.errors import DomainError
from bot.core.portal import BillingPortal, PortalError
from bot.core.reconcile import Claim, read_portal

log = logging.getLogger(__name__)


class PortalSync:
    def __init__(self, core: BillingAccess, portal: BillingPortal, *, concurrency: int) -> None:
        self._core = core
        self._portal = portal
        self._pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="whmcs-sync")
        # Its own thread, so waiting on WHMCS never holds up the bot's other background work.
        self._trigger = ThreadPoolExecutor(max_workers=1, thread_name_prefix="whmcs-trigger")

    def run_due(self) -> int:
        """Reconcile every account due now, claim after claim; returns how many there were."""
        synced: set[int] = set()
        while claimed := self._core.reconcile.claim_due():
            list(self._pool.map(self._sync, claimed))
            fresh = {claim.account_id for claim in claimed} - synced
            if not fresh:
                break  # due again already (a change came in): the next pass takes it
            synced |= fresh
        return len(synced)

    def soon(self, then: Callable[[], object]) -> None:
        """Reconcile what is due on the sync's own thread, then run ``then`` (delivery)."""
        self._trigger.submit(self._run_then, then)

    def idle(self) -> None:
        """Return once every sync asked for with ``soon`` so far has run (one thread, in order)."""
        self._trigger.submit(lambda: None).result()

    def _run_then(self, then: Callable[[], object]) -> None:
        try:
            if self.run_due():
                then()
        except Exception:
            log.exception("reconciling with WHMCS failed")

    def _sync(self, claim: Claim) -> None:
        try:
            view = read_portal(self._portal, claim.client_id)
            self._core.reconcile.apply(claim, view)
        except PortalError as error:
            log.warning("could not read WHMCS client %s: %s", claim.client_id, type(error).__name__)
        except DomainError as error:  # a record WHMCS holds that the bot cannot take in
            log.warning("could not reconcile WHMCS client %s: %s", claim.client_id, error)

    def close(self) -> None:
        self._trigger.shutdown(wait=False)
        self._pool.shutdown(wait=False)
