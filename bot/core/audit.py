"""Reading the audit log. Nothing here, or anywhere in the core, changes past events."""

from bot.core.context import CoreContext, account_id, require_account
from storage.tables import AuditEvent

RECENT_LIMIT = 20


class AuditService:
    def __init__(self, context: CoreContext) -> None:
        self._context = context

    def recent(self, team_id: str, *, actor: str, limit: int = RECENT_LIMIT) -> list[AuditEvent]:
        """The newest events first (owner only)."""
        with self._context.as_owner(team_id, actor, "read the audit log", read_only=True) as (
            uow,
            account,
        ):
            return list(uow.audit.recent(account_id(account), limit=limit))

    def trail(self, team_id: str) -> list[AuditEvent]:
        """Every event of the account, oldest first (for exports by an operator)."""
        with self._context.uow(read_only=True) as uow:
            account = require_account(uow, team_id)
            return list(uow.audit.all(account_id(account)))
