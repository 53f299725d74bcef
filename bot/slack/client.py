"""Web API clients: each for one token, retrying rate limits and hiccups; and how a sender
finds the client of the workspace its work concerns."""

import logging
from typing import Any, Protocol

from slack_bolt import BoltContext
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.authorize import Authorize
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.web import SlackResponse

from bot.metrics import SLACK_CALLS, SLACK_ERRORS
from storage.tables import Account

log = logging.getLogger(__name__)

TIMEOUT_S = 10
UNVERIFIED = "billing_unverified"
"""Set in an ``AuthorizeResult`` whose workspace could not be checked with Slack."""
RETRIES = 2


class CountedWebClient(WebClient):
    """slack-sdk's client, counting its calls and their errors (every method goes through
    ``api_call``)."""

    def api_call(self, api_method: str, **kwargs: Any) -> SlackResponse:
        SLACK_CALLS.labels(api_method).inc()
        try:
            return super().api_call(api_method, **kwargs)
        except SlackApiError as error:
            SLACK_ERRORS.labels(api_method, str(error.response.get("error", "http error"))).inc()
            raise
        except (SlackClientError, OSError):
            SLACK_ERRORS.labels(api_method, "unreachable").inc()
            raise


def make_client(api_url: str, token: str | None) -> WebClient:
    return CountedWebClient(
        token=token,
        base_url=api_url,
        timeout=TIMEOUT_S,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=RETRIES),
            RateLimitErrorRetryHandler(max_retry_count=RETRIES),
            ServerErrorRetryHandler(max_retry_count=RETRIES),
        ],
    )


class NotInstalled(SlackClientError):
    """The workspace has no installation (any more): nothing can be sent there now."""


class SlackClients(Protocol):
    """The Web API client of each workspace."""

    def for_team(self, team_id: str, enterprise_id: str | None = None) -> WebClient:
        """The client with ``team_id``'s token, or that of its organisation (``enterprise_id``)
        installed organisation-wide; ``NotInstalled`` when it has none."""

    def token_refused(self, team_id: str, error: str, token: str | None) -> None:
        """Slack answered ``error`` (a dead token) to a call for ``team_id`` with ``token``."""


def client_of(clients: SlackClients, account: Account) -> WebClient:
    """The client of the account's workspace (or of its organisation's install)."""
    return clients.for_team(account.team_id, account.slack_enterprise_id)


class OneWorkspace(Authorize):
    """The one workspace of ``SLACK_BOT_TOKEN``: its client serves every call. A refused token
    is for a person to fix in the app's settings; messages wait meanwhile."""

    def __init__(self, client: WebClient) -> None:
        self._client = client
        self._bot: dict[str, str] | None = None

    def for_team(self, team_id: str, enterprise_id: str | None = None) -> WebClient:
        return self._client

    def __call__(
        self,
        *,
        context: BoltContext,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None,
        **_actors: str | None,
    ) -> AuthorizeResult:
        """Bolt's ``authorize``: the bot token, and the bot's workspace and ids from one
        ``auth.test``. While Slack cannot be reached (or refuses the token) that is unknown,
        and the result says so (``UNVERIFIED``) for the request to be refused politely;
        ``auth.test`` is asked again by the next request. (Bolt's own single-workspace check
        answers such a request with a 500 and a traceback.)"""
        bot = self._bot or self._identify() or {}
        result = AuthorizeResult(
            enterprise_id=bot.get("enterprise_id") or None,
            team_id=bot.get("team_id") or team_id,
            user_id=user_id,
            bot_token=self._client.token,
            bot_id=bot.get("bot_id"),
            bot_user_id=bot.get("user_id"),
        )
        if not bot:
            result[UNVERIFIED] = True
        return result

    def _identify(self) -> dict[str, str] | None:
        try:
            answer = self._client.auth_test()
        except SlackApiError as error:
            log.warning("Slack refused the bot token (auth.test: %s)", error.response.get("error"))
            return None
        except (SlackClientError, OSError) as error:
            log.warning("Slack could not be reached (auth.test: %s)", type(error).__name__)
            return None
        keys = ("bot_id", "user_id", "team_id", "enterprise_id")
        self._bot = {key: str(answer.get(key) or "") for key in keys}
        return self._bot

    def token_refused(self, team_id: str, error: str, token: str | None) -> None:
        """Nothing to do here: the sender keeps the message for later."""
