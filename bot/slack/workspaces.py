"""Many workspaces installed through OAuth: each request and each background job gets the
client of the workspace it concerns, from its installation in the database.

Installations are cached in the process for a short while, so authorising a request is not a
database read each time; the cache forgets a workspace when it is uninstalled or its token is
refused, and never holds a token past the time it is due to be refreshed, so a token another
replica refreshed is read from the database then. Refreshing (token rotation) is Bolt's own
``TokenRotator``; the refreshed token is written back for every replica.
"""

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from slack_bolt import BoltContext
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.authorize import Authorize
from slack_sdk import WebClient
from slack_sdk.errors import SlackTokenRotationError
from slack_sdk.oauth.installation_store import Bot
from slack_sdk.oauth.token_rotation import TokenRotator

from bot.slack.client import NotInstalled, make_client
from bot.slack.installations import DatabaseInstallationStore, workspace_key

log = logging.getLogger(__name__)

CACHE_SECONDS = 60.0
ROTATE_MINUTES_BEFORE_EXPIRY = 120


@dataclass(frozen=True)
class _Cached:
    bot: Bot
    client: WebClient
    until: float
    """Monotonic time after which the database is asked again."""


class InstalledWorkspaces(Authorize):
    """Bolt's ``authorize`` for every request, and the client of each workspace's jobs."""

    def __init__(
        self,
        store: DatabaseInstallationStore,
        rotator: TokenRotator,
        *,
        api_url: str,
        on_token_lost: Callable[[str, str], object],
        cache_seconds: float = CACHE_SECONDS,
        wall_clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """``on_token_lost(team_id, why)``: a workspace's token no longer works."""
        self._store = store
        self._rotator = rotator
        self._api_url = api_url
        self._on_token_lost = on_token_lost
        self._cache_seconds = cache_seconds
        self._wall_clock = wall_clock
        self._monotonic = monotonic
        self._cache: dict[str, _Cached] = {}
        self._lock = threading.Lock()

    def __call__(
        self,
        *,
        context: BoltContext,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None,
        **_actors: str | None,
    ) -> AuthorizeResult | None:
        key = workspace_key(enterprise_id, team_id, context.is_enterprise_install)
        found = None if key is None else self._installed(key)
        if found is None:
            return None
        bot = found.bot
        return AuthorizeResult(
            enterprise_id=bot.enterprise_id,
            team_id=bot.team_id,
            bot_user_id=bot.bot_user_id,
            bot_id=bot.bot_id,
            bot_token=bot.bot_token,
            bot_scopes=bot.bot_scopes,
            user_id=user_id,
        )

    def for_team(self, team_id: str, enterprise_id: str | None = None) -> WebClient:
        found = self._installed(team_id)
        organisation = workspace_key(enterprise_id, None, is_enterprise_install=True)
        if found is None and organisation is not None:
            found = self._installed(organisation)
        if found is None:
            raise NotInstalled(f"the app is not installed in {team_id}")
        return found.client

    def token_refused(self, team_id: str, error: str, token: str | None) -> None:
        """Pause the workspace, unless the database holds a newer token than the one refused
        (installed again meanwhile, through another replica whose cache this one lagged)."""
        self.forget(team_id)
        found = self._installed(team_id)
        if found is not None and found.bot.bot_token != token:
            return
        log.warning("Slack refused the token of %s (%s): it is paused", team_id, error)
        self._on_token_lost(team_id, error)

    def forget(self, key: str) -> None:
        """Read the workspace (``T…``) or organisation (``E…:*``) from the database next time."""
        with self._lock:
            self._cache.pop(key, None)

    def _installed(self, key: str) -> _Cached | None:
        now = self._monotonic()
        cached = self._cache.get(key)
        if cached is not None and now < cached.until:
            return cached
        with self._lock:  # one reader (and refresher) per process at a time
            cached = self._cache.get(key)
            if cached is not None and now < cached.until:
                return cached
            bot = self._find(key)
            if bot is None:
                self._cache.pop(key, None)
                return None
            cached = _Cached(bot, self._client(bot, cached), self._until(bot, now))
            self._cache[key] = cached
            return cached

    def _find(self, key: str) -> Bot | None:
        enterprise, _, whole = key.partition(":")
        if whole:
            bot = self._store.find_bot(
                enterprise_id=enterprise, team_id=None, is_enterprise_install=True
            )
        else:
            bot = self._store.find_bot(enterprise_id=None, team_id=key)
        if bot is None or bot.bot_refresh_token is None:
            return bot
        try:
            refreshed = self._rotator.perform_bot_token_rotation(
                bot=bot, minutes_before_expiration=ROTATE_MINUTES_BEFORE_EXPIRY
            )
        except SlackTokenRotationError as error:  # the token may work until it expires
            log.error(
                "could not refresh the token of %s: %s", key, error.api_error.response.get("error")
            )
            return bot
        if refreshed is None:
            return bot
        self._store.save_bot(refreshed)
        return refreshed

    def _client(self, bot: Bot, cached: _Cached | None) -> WebClient:
        if cached is not None and cached.bot.bot_token == bot.bot_token:
            return cached.client
        return make_client(self._api_url, bot.bot_token)

    def _until(self, bot: Bot, now: float) -> float:
        """Until the cache's while is over, or the token is due to be refreshed."""
        until = now + self._cache_seconds
        if bot.bot_token_expires_at is not None:
            due = bot.bot_token_expires_at - ROTATE_MINUTES_BEFORE_EXPIRY * 60
            until = min(until, now + max(0.0, due - self._wall_clock()))
        return until
