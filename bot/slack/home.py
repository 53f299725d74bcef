"""The App Home tab: what each viewer sees, published after every change they can see."""

import logging

from slack_sdk.errors import SlackClientError

from bot.blocks import home
from bot.coalesce import OnePassAtATimeEach
from bot.core import BillingAccess, Clock
from bot.core.accounts import Viewer, ViewerRole
from bot.slack.client import SlackClients

log = logging.getLogger(__name__)


class HomePublisher:
    def __init__(self, core: BillingAccess, clients: SlackClients, clock: Clock) -> None:
        self._core = core
        self._clients = clients
        self._clock = clock
        self._refresh_one: OnePassAtATimeEach[tuple[str, str]] = OnePassAtATimeEach(self._refresh)

    def _view_for(self, team_id: str, user_id: str) -> tuple[dict[str, object], str | None]:
        """The tab ``user_id`` sees, and the workspace's organisation (if it has one)."""
        viewer = self._core.accounts.viewer(team_id, user_id)
        account = viewer.account
        enterprise_id = None if account is None else account.slack_enterprise_id
        return self._view(viewer, team_id, user_id), enterprise_id

    def _view(self, viewer: Viewer, team_id: str, user_id: str) -> dict[str, object]:
        account = viewer.account
        if account is None or viewer.role == ViewerRole.OUTSIDER:
            return home.outsider_home(account)
        if viewer.role == ViewerRole.USER:
            assert viewer.member is not None
            return home.user_home(account, viewer.member)
        seen = self._core.members.overview(team_id, actor=user_id)
        return home.owner_home(
            seen.account, seen.members, seen.pending, seen.contacts, self._clock()
        )

    def publish(self, team_id: str, user_id: str) -> None:
        view, enterprise_id = self._view_for(team_id, user_id)
        client = self._clients.for_team(team_id, enterprise_id)
        client.views_publish(user_id=user_id, view=view)

    def refresh(self, team_id: str, *user_ids: str | None) -> None:
        """Publish the tab again for each of ``user_ids``. Refreshes of one tab asked for while
        it is being refreshed make one more refresh after it, not one each (a burst of
        changes by an owner would otherwise read and render their whole tab per change)."""
        for user_id in dict.fromkeys(user_id for user_id in user_ids if user_id):
            self._refresh_one((team_id, user_id))

    def _refresh(self, viewer: tuple[str, str]) -> None:
        """A Slack failure only costs a stale tab until the next time it is opened."""
        team_id, user_id = viewer
        try:
            self.publish(team_id, user_id)
        except SlackClientError as error:
            log.warning("could not refresh the App Home of %s: %s", user_id, error)
