"""The real Bolt app, served over HTTP on loopback by uvicorn, against the stand-in Slack."""

import socket
import threading
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import AbstractContextManager, asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
import pytest
import uvicorn
from sqlalchemy import Engine
from starlette.applications import Starlette

from bot.app import Bot, create_app
from bot.server import other_routes
from bot.settings import load_settings
from bot.slack.http import slack_events_route
from bot.web import create_web_app
from tests.conftest import BILLING_CHANNEL, FakeClock
from tests.e2e.slack_requests import SlackDriver
from tests.slack_stub import SlackStub

SECRET = "e2e-signing-secret"
API_TOKEN = "e2e-api-token"
OWNER = "U0OWNER"
OWNER_EMAIL = "owner@acme.example.com"


@dataclass
class Driven:
    """A bot served over HTTP somewhere, the stand-in Slack it talks to, and a driver."""

    stub: SlackStub
    slack: SlackDriver
    base_url: str

    def api(self, path: str, token: str | None = API_TOKEN) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.slack.http.get(f"{self.base_url}/api/v1/teams/{path}", headers=headers)


@dataclass
class Running(Driven):
    """The bot served in this process, with its core and its clock at hand."""

    bot: Bot
    clock: FakeClock


@pytest.fixture(autouse=True)
def no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    # slack_sdk honours HTTP(S)_PROXY but not NO_PROXY; loopback must stay direct.
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def stub() -> Iterator[SlackStub]:
    with SlackStub(bot_token="xoxb-e2e-token") as running:
        running.add_user(OWNER, OWNER_EMAIL, is_admin=True)
        running.add_channel(BILLING_CHANNEL, "billing")
        yield running


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve_bot(
    engine: Engine, stub: SlackStub, **settings: str | None
) -> AbstractContextManager[Running]:
    """The bot on ``engine`` served by uvicorn in a thread on a free port, until the block
    ends; ``settings`` are laid over those of one workspace's bot."""
    return serve_bot_on(engine, stub, free_port(), settings)


@contextmanager
def serve_bot_on(
    engine: Engine,
    stub: SlackStub,
    port: int,
    settings: Mapping[str, str | None],
    *,
    log_level: str = "warning",
) -> Iterator[Running]:
    """``serve_bot`` on ``port``, its access log on with ``log_level="info"``."""
    defaults = {"SLACK_BOT_TOKEN": stub.bot_token, "SLACK_SIGNING_SECRET": SECRET,
                "SLACK_API_URL": stub.api_url, "BILLING_API_TOKEN": API_TOKEN,
                "DATABASE_URL": engine.url.render_as_string(hide_password=False)}  # fmt: skip
    config = load_settings(**{**defaults, **settings})
    clock = FakeClock(datetime.now(UTC).replace(microsecond=0))
    bot = create_app(config, engine=engine, clock=clock)
    routes = [slack_events_route(bot), *other_routes(bot, config)]

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        bot.close()

    web_app = create_web_app(engine, routes, lifespan=lifespan)
    server = uvicorn.Server(uvicorn.Config(web_app, host="127.0.0.1", port=port,
                                           log_level=log_level))  # fmt: skip
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        threading.Event().wait(0.01)
    base_url = f"http://127.0.0.1:{port}"
    driver = SlackDriver(base_url, SECRET, stub)
    try:
        yield Running(stub, driver, base_url, bot, clock)
    finally:
        driver.http.close()
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def running(engine: Engine, stub: SlackStub) -> Iterator[Running]:
    with serve_bot(engine, stub) as bot:
        yield bot
