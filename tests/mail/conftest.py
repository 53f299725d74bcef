"""The bot as ``serve`` composes it, with emails on, against the stand-in Slack and an SMTP
server on loopback."""

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine

from bot.app import Bot, create_app
from bot.core import BillingAccess
from bot.settings import load_settings
from tests.conftest import BILLING_CHANNEL, OWNER, OWNER_EMAIL, TEAM, FakeClock
from tests.e2e.conftest import free_port
from tests.slack_stub import SlackStub
from tests.smtp_catcher import Catcher, smtp_catcher

PUBLIC_URL = "https://billing.example.com"
MAIL_FROM = "Billing Access <billing@example.com>"
OWNER_NAME = "Olivia Owner"


@dataclass
class Mailing:
    bot: Bot
    stub: SlackStub
    smtp_port: int

    @property
    def core(self) -> BillingAccess:
        return self.bot.deps.core

    def deliver(self) -> int:
        return self.bot.deps.deliverer.deliver_all()


@pytest.fixture
def stub(monkeypatch: pytest.MonkeyPatch) -> Iterator[SlackStub]:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    with SlackStub() as running:
        running.add_user(OWNER, OWNER_EMAIL, real_name=OWNER_NAME)
        running.add_channel(BILLING_CHANNEL, "billing", bot_is_member=True)
        yield running


def mailing_bot(
    engine: Engine, stub: SlackStub, clock: FakeClock, smtp_url: str, *, account: str = "Acme Ltd"
) -> Bot:
    settings = load_settings(
        SLACK_BOT_TOKEN=stub.bot_token,
        SLACK_API_URL=stub.api_url,
        SMTP_URL=smtp_url,
        MAIL_FROM=MAIL_FROM,
        PUBLIC_URL=PUBLIC_URL,
    )
    bot = create_app(settings, engine=engine, clock=clock)
    bot.deps.core.accounts.setup(
        TEAM,
        account,
        actor=OWNER,
        actor_email=OWNER_EMAIL,
        actor_is_workspace_admin=True,
        channel_id=BILLING_CHANNEL,
    )
    return bot


@pytest.fixture
def smtp_port() -> int:
    return free_port()


@pytest.fixture
def catcher(smtp_port: int) -> Iterator[Catcher]:
    with smtp_catcher(smtp_port) as running:
        yield running


@pytest.fixture
def mailing(engine: Engine, stub: SlackStub, clock: FakeClock, smtp_port: int) -> Mailing:
    """Emails to a plain relay on ``smtp_port`` (started by ``catcher``, or not at all)."""
    bot = mailing_bot(engine, stub, clock, f"smtp://127.0.0.1:{smtp_port}")
    return Mailing(bot, stub, smtp_port)
