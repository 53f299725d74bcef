"""Web API clients: each for one token, retrying rate limits and hiccups; and how a sender
finds the client of the workspace its work concerns."""

from typing import Any, Protocol

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.web import SlackResponse

from bot.metrics import SLACK_CALLS, SLACK_ERRORS

TIMEOUT_S = 10
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


class OneWorkspace:
    """The one workspace of ``SLACK_BOT_TOKEN``: its client serves every call. A refused token
    is for a person to fix in the app's settings; messages wait meanwhile."""

    def __init__(self, client: WebClient) -> None:
        self._client = client

    def for_team(self, team_id: str, enterprise_id: str | None = None) -> WebClient:
        return self._client

    def token_refused(self, team_id: str, error: str, token: str | None) -> None:
        """Nothing to do here: the sender keeps the message for later."""
