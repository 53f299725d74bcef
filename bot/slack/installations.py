"""slack-sdk's installation and OAuth state stores over the project's database, so that every
replica sees every install, token refresh and flow in progress. Tokens are sealed with
``SECRETS_KEY`` before they are written (``storage/secrets.py``).

One row per workspace holds its latest installation (Bolt's "latest bot installation"); an
Enterprise Grid organisation's organisation-wide install is one row for the organisation.
"""

import json
import logging
import secrets
from datetime import datetime, timedelta
from typing import Any

from slack_sdk.oauth.installation_store import Bot, Installation, InstallationStore
from slack_sdk.oauth.state_store import OAuthStateStore

from bot.core.clock import Clock
from storage.secrets import Cipher
from storage.tables import SlackInstallation, SlackOAuthState
from storage.unit_of_work import UnitOfWorkFactory

log = logging.getLogger(__name__)

TOKEN_FIELDS = ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token")
DETAIL_FIELDS = (
    "app_id",
    "enterprise_id",
    "enterprise_name",
    "enterprise_url",
    "team_id",
    "team_name",
    "bot_id",
    "bot_user_id",
    "bot_scopes",
    "bot_token_expires_at",
    "user_id",
    "user_scopes",
    "user_token_expires_at",
    "is_enterprise_install",
    "token_type",
    "installed_at",
)


def workspace_key(
    enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None
) -> str | None:
    """The row of a workspace (``T…``), or of an organisation-wide install (``E…:*``)."""
    if is_enterprise_install or not team_id:
        return f"{enterprise_id}:*" if enterprise_id else None
    return team_id


class DatabaseInstallationStore(InstallationStore):
    def __init__(self, uow: UnitOfWorkFactory, cipher: Cipher, clock: Clock) -> None:
        self._uow = uow
        self._cipher = cipher
        self._clock = clock

    @property
    def logger(self) -> logging.Logger:
        return log

    def save(self, installation: Installation) -> None:
        key = workspace_key(
            installation.enterprise_id, installation.team_id, installation.is_enterprise_install
        )
        if key is None:
            raise ValueError("an installation names neither a workspace nor an organisation")
        with self._uow() as uow:
            row = uow.slack_installations.for_workspace(key, for_update=True)
            row = row or SlackInstallation(workspace=key, tokens="")
            row.enterprise_id = installation.enterprise_id
            row.team_id = installation.team_id
            row.is_enterprise_install = bool(installation.is_enterprise_install)
            row.details = details_of(installation)
            row.tokens = sealed_tokens(self._cipher, installation)
            row.installed_at = self._clock()
            uow.slack_installations.add(row)
            uow.commit()

    def save_bot(self, bot: Bot) -> None:
        """A bot's refreshed token (token rotation), onto its workspace's installation."""
        found = self.find_installation(
            enterprise_id=bot.enterprise_id,
            team_id=bot.team_id,
            is_enterprise_install=bot.is_enterprise_install,
        )
        if found is None:
            return  # uninstalled meanwhile: nothing to refresh
        found.bot_token = bot.bot_token
        found.bot_refresh_token = bot.bot_refresh_token
        found.bot_token_expires_at = bot.bot_token_expires_at
        self.save(found)

    def find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        key = workspace_key(enterprise_id, team_id, is_enterprise_install)
        if key is None:
            return None
        with self._uow(read_only=True) as uow:
            row = uow.slack_installations.for_workspace(key)
        if row is None:
            return None
        installation = Installation(**row.details, **json.loads(self._cipher.open(row.tokens)))
        if user_id is not None and installation.user_id != user_id:
            return None  # only the latest installer's tokens are kept
        return installation

    def find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        installation = self.find_installation(
            enterprise_id=enterprise_id,
            team_id=team_id,
            is_enterprise_install=is_enterprise_install,
        )
        if installation is None or installation.bot_token is None:
            return None
        return installation.to_bot()

    def delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        self.remove(enterprise_id, team_id)

    def delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        self.remove(enterprise_id, team_id)

    def delete_all(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        self.remove(enterprise_id, team_id)

    def remove(self, enterprise_id: str | None, team_id: str | None) -> None:
        """Forget the tokens of a workspace (or of an organisation-wide install, given no
        team)."""
        key = workspace_key(enterprise_id, team_id, is_enterprise_install=None)
        if key is None:
            return
        with self._uow() as uow:
            uow.slack_installations.remove(key)
            uow.commit()

    def reseal(self) -> int:
        """Write every installation's tokens again under the newest key; how many."""
        with self._uow() as uow:
            rows = uow.slack_installations.all_locked()
            for row in rows:
                row.tokens = self._cipher.seal(self._cipher.open(row.tokens))
                uow.slack_installations.add(row)
            uow.commit()
            return len(rows)

    def check_key(self) -> None:
        """Open one stored installation: ``WrongKey`` when ``SECRETS_KEY`` cannot."""
        with self._uow(read_only=True) as uow:
            row = uow.slack_installations.any_one()
        if row is not None:
            self._cipher.open(row.tokens)


def details_of(installation: Installation) -> dict[str, Any]:
    """What is stored of an installation in the clear: everything but its tokens."""
    fields = {name: getattr(installation, name) for name in DETAIL_FIELDS}
    for scopes in ("bot_scopes", "user_scopes"):
        fields[scopes] = ",".join(fields[scopes] or [])
    return fields


def sealed_tokens(cipher: Cipher, installation: Installation) -> str:
    """The installation's tokens, as stored: one Fernet token of their JSON."""
    tokens = {field: getattr(installation, field) for field in TOKEN_FIELDS}
    return cipher.seal(json.dumps(tokens))


class DatabaseStateStore(OAuthStateStore):
    """The ``state`` of each OAuth flow: issued once, taken once, expiring."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, *, expires_after: timedelta) -> None:
        self._uow = uow
        self._clock = clock
        self._expires_after = expires_after

    @property
    def logger(self) -> logging.Logger:
        return log

    def issue(self, *args: Any, **kwargs: Any) -> str:
        state = secrets.token_urlsafe(32)
        with self._uow() as uow:
            expires_at: datetime = self._clock() + self._expires_after
            uow.oauth_states.add(SlackOAuthState(state=state, expires_at=expires_at))
            uow.commit()
        return state

    def consume(self, state: str) -> bool:
        with self._uow() as uow:
            taken = uow.oauth_states.take(state[:64], self._clock())
            uow.commit()
            return taken
