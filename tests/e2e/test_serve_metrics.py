"""`billing-bot serve --workers 2` with metrics on: every worker's requests are in what any of
them answers at /metrics (prometheus-client's multiprocess mode)."""

from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine

from tests.e2e.conftest import OWNER, OWNER_EMAIL, SECRET
from tests.e2e.served import Served
from tests.e2e.slack_requests import SlackDriver
from tests.slack_stub import SlackStub

TOKEN = "serve-metrics-token"
REQUESTS = 24
SCRAPES = 6


def _helps_counted(base_url: str) -> float:
    response = httpx.get(f"{base_url}/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    return sum(
        sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
        if sample.name == "billing_slack_request_seconds_count"
        and sample.labels == {"kind": "command help", "outcome": "ok"}
    )


def test_two_workers_count_together(engine: Engine, tmp_path: Path) -> None:
    with SlackStub(bot_token="xoxb-serve-token") as stub:
        stub.add_user(OWNER, OWNER_EMAIL, is_admin=True)
        url = engine.url.render_as_string(hide_password=False)
        bot = Served(stub, url, tmp_path, workers=2, METRICS_TOKEN=TOKEN)
        bot.start()
        try:
            driver = SlackDriver(bot.base_url, SECRET, stub)
            for _ in range(REQUESTS):
                # A connection each, so the two workers share them.
                driver.http.headers["Connection"] = "close"
                assert driver.command(OWNER, "help").status_code == 200
            counted = [_helps_counted(bot.base_url) for _ in range(SCRAPES)]
        finally:
            bot.stop()
    assert counted == [REQUESTS] * SCRAPES
