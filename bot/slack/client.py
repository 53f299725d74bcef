"""The one Web API client, built from the settings, retrying rate limits and hiccups."""

from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.web import SlackResponse

from bot.metrics import SLACK_CALLS, SLACK_ERRORS
from bot.settings import Settings

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


def make_client(settings: Settings) -> WebClient:
    return CountedWebClient(
        token=settings.SLACK_BOT_TOKEN.get_secret_value(),
        base_url=settings.SLACK_API_URL,
        timeout=TIMEOUT_S,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=RETRIES),
            RateLimitErrorRetryHandler(max_retry_count=RETRIES),
            ServerErrorRetryHandler(max_retry_count=RETRIES),
        ],
    )
