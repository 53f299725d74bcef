"""A workspace installing the app, and uninstalling it or revoking its token: the stored
tokens, the cached clients and the workspace's account kept in step."""

import logging

from slack_sdk.oauth.installation_store import Installation

from bot.core import BillingAccess
from bot.slack.installations import DatabaseInstallationStore, workspace_key
from bot.slack.workspaces import InstalledWorkspaces

log = logging.getLogger(__name__)


class Installs:
    def __init__(
        self,
        core: BillingAccess,
        store: DatabaseInstallationStore,
        workspaces: InstalledWorkspaces,
    ) -> None:
        self._core = core
        self._store = store
        self._workspaces = workspaces

    def installed(self, installation: Installation) -> None:
        """Stored by the OAuth flow: use the new token from now on, and resume the account."""
        key = workspace_key(
            installation.enterprise_id, installation.team_id, installation.is_enterprise_install
        )
        if key is not None:
            self._workspaces.forget(key)
        if installation.is_enterprise_install and installation.enterprise_id:
            self._core.workspaces.resume_organisation(installation.enterprise_id)
        elif installation.team_id:
            self._core.workspaces.resume(installation.team_id)
        log.info("installed in %s", key)

    def uninstalled(self, enterprise_id: str | None, team_id: str | None, why: str) -> None:
        """The app was uninstalled or its bot token revoked: delete the tokens and pause the
        workspace's account until it is installed again."""
        self._store.remove(enterprise_id, team_id)
        key = workspace_key(enterprise_id, team_id, is_enterprise_install=None)
        if key is not None:
            self._workspaces.forget(key)
        if team_id:
            self._core.workspaces.pause(team_id, why)
        elif enterprise_id:
            self._core.workspaces.pause_organisation(enterprise_id, why)
        log.info("%s in %s: its tokens are deleted", why, key)
