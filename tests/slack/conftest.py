"""A core on each database, the stand-in Slack, and a deliverer between them."""

from collections.abc import Iterator

import pytest

from bot.core import BillingAccess
from bot.slack.client import OneWorkspace, make_client
from bot.slack.delivery import Deliverer
from tests.conftest import BILLING_CHANNEL, OWNER, OWNER_EMAIL, FakeClock
from tests.slack_stub import SlackStub


@pytest.fixture
def stub(monkeypatch: pytest.MonkeyPatch) -> Iterator[SlackStub]:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    with SlackStub() as running:
        running.add_user(OWNER, OWNER_EMAIL)
        running.add_channel(BILLING_CHANNEL, "billing", bot_is_member=True)
        yield running


@pytest.fixture
def core(billing: BillingAccess) -> BillingAccess:
    """The core with the workspace's account set up by OWNER (the suite's ``billing``)."""
    return billing


@pytest.fixture
def deliverer(core: BillingAccess, stub: SlackStub, clock: FakeClock) -> Deliverer:
    return Deliverer(core, OneWorkspace(make_client(stub.api_url, stub.bot_token)), clock)
