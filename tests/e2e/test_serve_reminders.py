"""`billing-bot serve` itself, with second-scale settings: the reminder arrives in the channel,
a restart neither repeats nor forgets it, and reminders stop at expiry (announced once)."""

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text

from tests.e2e.conftest import API_TOKEN, SECRET, Driven, free_port
from tests.e2e.slack_requests import SlackDriver
from tests.e2e.steps import invite, set_up
from tests.slack_stub import SlackStub

ANA = "ana@example.com"
REMINDER = "have not been answered yet"
EXPIRED = "Expired unanswered"


class Served:
    """`billing-bot serve` in a child process, restartable, on one port and one database."""

    def __init__(self, stub: SlackStub, database_url: str, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen[bytes] | None = None
        keep = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("SLACK_", "DATABASE_", "REMINDER_", "INVITE_"))
        }
        self.environment = {
            **keep,
            "SLACK_BOT_TOKEN": stub.bot_token,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": stub.api_url,
            "DATABASE_URL": database_url,
            "BILLING_API_TOKEN": API_TOKEN,
            "REMINDER_FIRST_AFTER": "2s",
            "REMINDER_REPEAT_EVERY": "2s",
            "INVITE_EXPIRES_AFTER": "9s",
            "REMINDER_SWEEP_EVERY": "1s",
        }

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        command = [
            sys.executable,
            "-m",
            "bot",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
        ]
        self.process = subprocess.Popen(
            command,
            env=self.environment,
            cwd=self.workdir,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        raise AssertionError("billing-bot serve did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=15)
            self.process = None


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
