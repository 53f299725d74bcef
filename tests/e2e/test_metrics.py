"""GET /metrics as Prometheus scrapes it: behind its own bearer token, in the text format, with
requests by kind and outcome, Slack calls and errors, deliveries and what the outbox owes."""

from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine

from tests.e2e.conftest import Running, serve_bot
from tests.e2e.steps import a_day_later, eventually, invite, set_up
from tests.slack_stub import SlackStub

TOKEN = "e2e-metrics-token"
ANA = "ana@example.com"

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


@pytest.fixture
def metered(engine: Engine, stub: SlackStub) -> Iterator[Running]:
    with serve_bot(engine, stub, METRICS_TOKEN=TOKEN) as bot:
        yield bot


def scrape(running: Running, token: str | None = TOKEN) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return running.slack.http.get(f"{running.base_url}/metrics", headers=headers)


def samples(running: Running) -> Samples:
    response = scrape(running)
    assert response.status_code == 200
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(found: Samples, name: str, **labels: str) -> float:
    return found.get((name, frozenset(labels.items())), 0.0)


def test_metrics_need_their_own_token(metered: Running) -> None:
    assert scrape(metered, token=None).status_code == 401
    assert scrape(metered, token="wrong").status_code == 401
    assert scrape(metered, token="e2e-api-token").status_code == 401  # the access API's
    answered = scrape(metered)
    assert answered.status_code == 200
    assert answered.headers["content-type"].startswith("text/plain; version=")


def test_without_a_token_there_are_no_metrics(running: Running) -> None:
    assert scrape(running).status_code == 404


def test_requests_are_timed_by_kind_and_outcome(metered: Running) -> None:
    ok = {"kind": "command list", "outcome": "ok"}
    unsigned = {"kind": "unsigned", "outcome": "refused"}
    before = samples(metered)
    set_up(metered)
    assert metered.slack.command("U0OWNER", "list").status_code == 200
    forged = metered.slack.http.post(f"{metered.base_url}/slack/events", content=b"command=x")
    assert forged.status_code == 401
    after = samples(metered)
    count = "billing_slack_request_seconds_count"
    assert value(after, count, **ok) == value(before, count, **ok) + 1
    assert value(after, count, **unsigned) == value(before, count, **unsigned) + 1
    setups = {"kind": "command setup", "outcome": "ok"}
    assert value(after, count, **setups) == value(before, count, **setups) + 1


def test_a_channel_the_bot_left_shows_as_slack_errors_kept_reminders_and_a_backlog(
    metered: Running,
) -> None:
    refused = {"method": "chat.postMessage", "error": "not_in_channel"}
    kept = {"kind": "reminder", "result": "kept"}
    set_up(metered)
    invite(metered, ANA, ["invoices"])
    before = samples(metered)
    assert value(before, "billing_reminders_paused_channels") == 0
    metered.stub.remove_bot("C0BILLING")
    a_day_later(metered)
    eventually(lambda: value(samples(metered), "billing_reminders_paused_channels") == 1)
    after = samples(metered)
    errors = "billing_slack_api_errors_total"
    assert value(after, errors, **refused) == value(before, errors, **refused) + 1
    deliveries = "billing_outbox_deliveries_total"
    assert value(after, deliveries, **kept) == value(before, deliveries, **kept) + 1
    calls = {"method": "chat.postMessage"}
    assert value(after, "billing_slack_api_calls_total", **calls) > value(
        before, "billing_slack_api_calls_total", **calls
    )
    assert value(after, "billing_outbox_backlog") == 1  # the reminder, kept
    metered.clock.advance(timedelta(hours=1))
    assert value(samples(metered), "billing_outbox_oldest_age_seconds") == 3600
