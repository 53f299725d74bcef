"""What the bot counts, and ``GET /metrics`` to read it in Prometheus' text format.

Counters and histograms live in each process. With several worker processes
(``billing-bot serve --workers N``) prometheus-client's multiprocess mode adds up every
worker's on each scrape: ``serve`` points ``PROMETHEUS_MULTIPROC_DIR`` at an empty folder
before it starts them. What the outbox owes is read from the database at each scrape, so every
replica reports the same backlog.
"""

import os
from collections.abc import Iterable

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.bearer import bearer_check
from bot.core import BillingAccess

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"

SLACK_REQUESTS = Histogram(
    "billing_slack_request_seconds",
    "Time from receiving a request at the Slack Request URL to answering it.",
    ["kind", "outcome"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 3.0, 5.0),
)
SLACK_CALLS = Counter("billing_slack_api_calls", "Slack Web API calls made, by method.", ["method"])
SLACK_ERRORS = Counter(
    "billing_slack_api_errors",
    "Slack Web API calls that failed, by method and Slack's error code.",
    ["method", "error"],
)
DELIVERIES = Counter(
    "billing_outbox_deliveries",
    "Attempts to carry an owed message, by kind (reminder, invitation, ...) and result "
    "(sent, kept while the channel is unusable, retry, refused, waiting for a person).",
    ["kind", "result"],
)
WHMCS_CALLS = Counter("billing_whmcs_calls", "WHMCS API calls made, by action.", ["action"])
WHMCS_ERRORS = Counter(
    "billing_whmcs_errors", "WHMCS API calls that failed, by action and error.", ["action", "error"]
)


class _Database(Collector):
    """What the outbox owes, read at each scrape."""

    def __init__(self, core: BillingAccess) -> None:
        self._core = core

    def collect(self) -> Iterable[Metric]:
        backlog = self._core.outbox.backlog()
        yield GaugeMetricFamily(
            "billing_outbox_backlog", "Messages owed and not sent yet.", value=backlog.owed
        )
        yield GaugeMetricFamily(
            "billing_outbox_oldest_age_seconds",
            "How long the oldest message owed has waited.",
            value=backlog.oldest.total_seconds(),
        )
        yield GaugeMetricFamily(
            "billing_reminders_paused_channels",
            "Accounts whose reminders are kept because the bot cannot post to their channel.",
            value=backlog.paused_channels,
        )


class _ThisProcess(Collector):
    def collect(self) -> Iterable[Metric]:
        return REGISTRY.collect()


def metrics_route(core: BillingAccess, token: str) -> Route:
    """``GET /metrics`` for requests bearing ``token``."""
    authorized = bearer_check(token)
    registry = CollectorRegistry()
    if os.environ.get(MULTIPROCESS_DIR):
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry.register(_ThisProcess())
    registry.register(_Database(core))

    async def metrics(request: Request) -> Response:
        if not authorized(request):
            return Response(status_code=401, headers={"WWW-Authenticate": "Bearer"})
        body = await run_in_threadpool(generate_latest, registry)
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    return Route("/metrics", metrics, methods=["GET"])
