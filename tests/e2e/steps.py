"""Steps of the end-to-end stories, as a person in Slack would take them."""

import json
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor
from datetime import timedelta
from typing import Any

from bot.app import BACKGROUND_WORKERS
from bot.blocks import ids
from bot.scheduler import sweep_and_deliver
from tests.e2e.conftest import OWNER, Driven, Running
from tests.e2e.slack_requests import invite_values

ACCOUNT = "Acme Ltd"


def set_up(running: Driven, name: str = ACCOUNT, *, channel: str = "C0BILLING") -> None:
    assert running.slack.command(OWNER, f"setup {name}", channel=channel).status_code == 200
    running.stub.wait_for(lambda calls: any("is ready" in json.dumps(c.args) for c in calls))


def opened_view(running: Driven, callback_id: str) -> dict[str, Any]:
    """The last modal the bot opened with this callback id."""
    running.stub.wait_for(
        lambda _calls: any(v.get("callback_id") == callback_id for v in running.stub.opened_views())
    )
    return [v for v in running.stub.opened_views() if v.get("callback_id") == callback_id][-1]


def invite(running: Driven, emails: str, permissions: list[str] | None) -> dict[str, Any]:
    """Open the invite modal with the command and submit it; returns Slack's answer."""
    assert running.slack.command(OWNER, "").status_code == 200
    view = opened_view(running, ids.INVITE_MODAL)
    response = running.slack.submit(OWNER, view, invite_values(emails, permissions))
    assert response.status_code == 200
    return dict(response.json()) if response.content else {}


def invitation_dm(running: Driven, user_id: str) -> dict[str, Any]:
    """The newest DM to ``user_id`` that has an Accept button."""
    channel = running.stub.dm_channel(user_id)

    def accept_buttons() -> list[dict[str, Any]]:
        return [m for m in running.stub.messages(channel) if ids.ACCEPT in json.dumps(m)]

    running.stub.wait_for(lambda _calls: bool(accept_buttons()))
    return accept_buttons()[-1]


def button_value(message: dict[str, Any], action_id: str) -> str:
    for block in message.get("blocks", []):
        for element in [*block.get("elements", []), block.get("accessory") or {}]:
            if element.get("action_id") == action_id:
                return str(element["value"])
    raise AssertionError(f"no {action_id} button in {message}")


def access(running: Driven, email: str) -> dict[str, Any]:
    response = running.api(f"T0001/users/{email}")
    assert response.status_code == 200, response.text
    return dict(response.json())


def wait_for_dm(running: Driven, user_id: str, text: str) -> None:
    channel = running.stub.dm_channel(user_id)
    running.stub.wait_for(
        lambda _calls: any(text in json.dumps(m) for m in running.stub.messages(channel))
    )


def eventually(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Poll ``condition`` (for state the stand-in Slack is not told of, such as the database)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the condition did not come true in time")
        time.sleep(0.05)


def drain(background: Executor, seconds: float = 10.0) -> None:
    """Return once every task submitted to the bot's background pool so far has finished:
    one task per worker, all meeting at a barrier, can only run once the pool (first in,
    first out) has nothing older running or waiting."""
    barrier = threading.Barrier(BACKGROUND_WORKERS + 1)
    for _ in range(BACKGROUND_WORKERS):
        background.submit(barrier.wait, seconds)
    barrier.wait(seconds)


def a_day_later(running: Running) -> None:
    """A day passes: what is due is expired or reminded, and what is owed is delivered. What the
    bot is still doing in the background finishes first: a message in flight when the clock
    jumps a day would find its claim expired and be sent a second time by this sweep."""
    drain(running.bot.deps.background)
    running.clock.advance(timedelta(days=1))
    sweep_and_deliver(running.bot.deps.core, running.bot.deps.deliverer)
