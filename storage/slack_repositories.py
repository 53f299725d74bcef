"""The app's installations and the state of OAuth flows in progress. None of them commits."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import col, select

from storage.repositories import _Repository
from storage.tables import SlackInstallation, SlackOAuthState


class SlackInstallations(_Repository[SlackInstallation]):
    def for_workspace(
        self, workspace: str, *, for_update: bool = False
    ) -> SlackInstallation | None:
        query = select(SlackInstallation).where(SlackInstallation.workspace == workspace)
        if for_update:
            query = query.with_for_update()
        return self._session.exec(query).first()

    def remove(self, workspace: str) -> None:
        """Forget the workspace's installation, if it has one."""
        row = self.for_workspace(workspace, for_update=True)
        if row is not None:
            self._session.delete(row)

    def all_locked(self) -> Sequence[SlackInstallation]:
        query = select(SlackInstallation).order_by(col(SlackInstallation.id)).with_for_update()
        return self._session.exec(query).all()

    def any_one(self) -> SlackInstallation | None:
        return self._session.exec(select(SlackInstallation).limit(1)).first()


class OAuthStates(_Repository[SlackOAuthState]):
    def take(self, state: str, now: datetime) -> bool:
        """Use ``state`` up: whether it was issued and has not expired. Expired states go."""
        self._session.execute(delete(SlackOAuthState).where(col(SlackOAuthState.expires_at) <= now))
        row = self._session.get(SlackOAuthState, state, with_for_update=True)
        if row is None:
            return False
        self._session.delete(row)
        return True
