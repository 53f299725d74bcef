"""`billing-bot serve` itself, with second-scale settings: the reminder arrives in the channel,
a restart neither repeats nor forgets it, and reminders stop at expiry (announced once)."""

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from tests.e2e.conftest import SECRET, Driven
from tests.e2e.served import Served
from tests.e2e.slack_requests import SlackDriver
from tests.e2e.steps import invite, set_up
from tests.slack_stub import SlackStub

ANA = "ana@example.com"
REMINDER = "have not been answered yet"
EXPIRED = "Expired unanswered"


@pytest.fixture
def served(engine: Engine, tmp_path: Path) -> Iterator[tuple[Served, Driven]]:
    with SlackStub(bot_token="xoxb-serve-token") as stub:
        stub.add_user("U0OWNER", "owner@acme.example.com", is_admin=True)
        stub.add_user("U0ANA", ANA)
        stub.add_channel("C0BILLING", "billing")  # public: `setup` has the bot join it
        bot = Served(stub, engine.url.render_as_string(hide_password=False), tmp_path)
        bot.start()
        try:
            yield bot, Driven(stub, SlackDriver(bot.base_url, SECRET, stub), bot.base_url)
        finally:
            bot.stop()


def _channel(driven: Driven) -> list[dict[str, Any]]:
    return driven.stub.messages("C0BILLING")


def _count(driven: Driven, marker: str) -> int:
    return sum(marker in str(message) for message in _channel(driven))


def _reminder_count(engine: Engine) -> int:
    with engine.connect() as connection:
        query = text("SELECT reminder_count FROM invitation WHERE email = :email")
        return int(connection.execute(query, {"email": ANA}).scalar_one())


def test_reminders_arrive_survive_a_restart_and_stop_at_expiry(
    served: tuple[Served, Driven], engine: Engine
) -> None:
    bot, driven = served
    set_up(driven)
    invite(driven, ANA, ["invoices"])
    driven.stub.wait_for(lambda _calls: _count(driven, REMINDER) >= 1, timeout=10)

    bot.stop()
    reminded_before_restart = _count(driven, REMINDER)
    time.sleep(0.5)
    bot.start()

    driven.stub.wait_for(lambda _calls: _count(driven, EXPIRED) >= 1, timeout=20)
    time.sleep(3)  # several more sweeps: nothing more may be sent
    messages = [str(message) for message in _channel(driven)]
    reminders = [m for m in messages if REMINDER in m]
    assert len(reminders) == _reminder_count(engine)
    assert len(reminders) >= reminded_before_restart + 1
    assert [m for m in messages if EXPIRED in m] == [messages[-1]]
    assert driven.api(f"T0001/users/{ANA}").json()["status"] == "expired"
