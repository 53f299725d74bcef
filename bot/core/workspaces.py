"""A workspace losing its working token (the app uninstalled, its token revoked) and getting one
again (installed again). Meanwhile its account is paused: no reminder is owed, no message to
the workspace is sent, and nothing is dropped; the account's messages wait for the new token."""

from bot.core.context import SYSTEM_ACTOR, CoreContext, account_id, record
from storage.tables import Account


class WorkspaceService:
    def __init__(self, context: CoreContext) -> None:
        self._context = context

    def pause(self, team_id: str, why: str) -> Account | None:
        """The workspace has no working token: pause its account (None if it has none)."""
        now = self._context.now()
        with self._context.uow() as uow:
            account = uow.accounts.for_team(team_id, for_update=True)
            if account is None or account.slack_paused_at is not None:
                return account
            account.slack_paused_at = now
            uow.accounts.add(account)
            record(uow, account, at=now, actor=SYSTEM_ACTOR, action="slack.paused", detail=why)
            uow.commit()
            return account

    def resume(self, team_id: str) -> Account | None:
        """The workspace has a working token again: what its account kept is due now."""
        now = self._context.now()
        with self._context.uow() as uow:
            account = uow.accounts.for_team(team_id, for_update=True)
            if account is None or account.slack_paused_at is None:
                return account
            account.slack_paused_at = None
            uow.accounts.add(account)
            uow.outbox.due_again(account_id(account), now)
            record(uow, account, at=now, actor=SYSTEM_ACTOR, action="slack.resumed")
            uow.commit()
            return account

    def pause_organisation(self, enterprise_id: str, why: str) -> None:
        """An organisation-wide install lost its token: pause each of its workspaces."""
        for team_id in self._teams_of(enterprise_id):
            self.pause(team_id, why)

    def resume_organisation(self, enterprise_id: str) -> None:
        """The organisation installed the app again: resume each of its workspaces."""
        for team_id in self._teams_of(enterprise_id):
            self.resume(team_id)

    def _teams_of(self, enterprise_id: str) -> list[str]:
        with self._context.uow(read_only=True) as uow:
            return uow.accounts.teams_of_organisation(enterprise_id)
