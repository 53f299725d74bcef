"""Web API clients: each for one token, retrying rate limits and hiccups; and how a sender
finds the client of the workspace its work concerns."""

from typing import Protocol

from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

TIMEOUT_S = 10
RETRIES = 2


def make_client(api_url: str, token: str | None) -> WebClient:
    return WebClient(
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


class OneWorkspace:
    """The one workspace of ``SLACK_BOT_TOKEN``: its client serves every call. A refused token
    is for a person to fix in the app's settings; messages wait meanwhile."""

    def __init__(self, client: WebClient) -> None:
        self._client = client

    def for_team(self, team_id: str, enterprise_id: str | None = None) -> WebClient:
        return self._client

    def token_refused(self, team_id: str, error: str, token: str | None) -> None:
        """Nothing to do here: the sender keeps the message for later."""
