"""Faults: Slack refusing each method the bot calls, the database down, secrets in logs.
The person sees a clear message, nothing is half made, and what is owed arrives later."""

import json
import logging
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from bot.blocks import ids
from bot.scheduler import sweep_and_deliver
from bot.slack.client import RETRIES
from storage.engine import make_engine
from tests.e2e.conftest import API_TOKEN, OWNER, SECRET, Running, serve_bot
from tests.e2e.steps import (
    access,
    button_value,
    eventually,
    invitation_dm,
    invite,
    set_up,
    wait_for_dm,
)
from tests.slack_stub import SlackStub

ANA = "ana@example.com"
APOLOGY = "something went wrong on our side and nothing was changed"
PERSISTENTLY = 10  # more failures than the client's retries
ONE_CALL_AND_ITS_RETRIES = 1 + RETRIES


def _apologised(running: Running) -> None:
    running.stub.wait_for(lambda _calls: APOLOGY in json.dumps(running.stub.responses()))


def _catch_up(running: Running, done: Callable[[], bool]) -> None:
    """Once the failed attempt is over (every scheduled failure used) and has let go of its
    claim, let later sweeps run (an hour apart) until ``done``. The fake clock jumps past
    claim leases, so a sweep must not start while the first attempt is still in flight."""
    outbox = running.bot.deps.core.outbox
    running.stub.wait_for(lambda _calls: len(running.stub.failed_calls) >= ONE_CALL_AND_ITS_RETRIES)
    eventually(lambda: outbox.in_flight() == 0)
    for _ in range(3):
        running.clock.advance(timedelta(hours=1))
        sweep_and_deliver(running.bot.deps.core, running.bot.deps.deliverer)
        if done():
            return
        time.sleep(0.2)
    raise AssertionError("what was owed was not delivered")


@pytest.mark.parametrize("status", [500, 429])
def test_a_modal_that_slack_will_not_open_gets_an_apology(running: Running, status: int) -> None:
    set_up(running)
    running.stub.fail_next("views.open", times=PERSISTENTLY, status=status, retry_after=0)
    running.slack.command(OWNER, "")
    _apologised(running)


def test_setup_while_slack_cannot_say_who_you_are_changes_nothing(running: Running) -> None:
    running.stub.fail_next("users.info", times=PERSISTENTLY, status=500)
    running.slack.command(OWNER, "setup Acme Ltd")
    _apologised(running)
    assert running.bot.deps.core.accounts.find("T0001") is None


def test_an_accept_slack_interrupted_can_be_clicked_again(running: Running) -> None:
    running.stub.add_user("U0ANA", ANA)
    set_up(running)
    invite(running, ANA, ["invoices"])
    value = button_value(invitation_dm(running, "U0ANA"), ids.ACCEPT)
    running.stub.fail_next("users.info", times=ONE_CALL_AND_ITS_RETRIES, status=503)
    running.slack.click("U0ANA", ids.ACCEPT, value)
    _apologised(running)
    assert access(running, ANA)["status"] == "invited"
    running.slack.click("U0ANA", ids.ACCEPT, value)
    wait_for_dm(running, OWNER, "accepted")
    assert access(running, ANA)["status"] == "active"


@pytest.mark.parametrize(
    "method", ["users.lookupByEmail", "conversations.open", "chat.postMessage"]
)
def test_an_invitation_slack_refused_to_deliver_arrives_later_once(
    running: Running, method: str
) -> None:
    running.stub.add_user("U0ANA", ANA)
    set_up(running)
    running.stub.fail_next(method, times=ONE_CALL_AND_ITS_RETRIES, status=500)
    answer = invite(running, ANA, ["invoices"])
    assert answer["response_action"] == "update"
    assert access(running, ANA)["status"] == "invited"
    channel = running.stub.dm_channel("U0ANA")

    def dms() -> list[dict[str, Any]]:
        return [m for m in running.stub.messages(channel) if ids.ACCEPT in json.dumps(m)]

    _catch_up(running, lambda: bool(dms()))
    _catch_up(running, lambda: True)
    assert len(dms()) == 1


def test_the_dm_update_after_accepting_is_made_later_if_slack_refuses(running: Running) -> None:
    running.stub.add_user("U0ANA", ANA)
    set_up(running)
    invite(running, ANA, ["invoices"])
    value = button_value(invitation_dm(running, "U0ANA"), ids.ACCEPT)
    running.stub.fail_next("chat.update", times=ONE_CALL_AND_ITS_RETRIES, status=500)
    running.slack.click("U0ANA", ids.ACCEPT, value)
    wait_for_dm(running, OWNER, "accepted")
    assert access(running, ANA)["status"] == "active"
    channel = running.stub.dm_channel("U0ANA")
    _catch_up(running, lambda: ids.ACCEPT not in json.dumps(running.stub.messages(channel)))


def test_a_home_tab_slack_will_not_publish_does_not_undo_the_change(running: Running) -> None:
    set_up(running)
    running.stub.fail_next("views.publish", times=PERSISTENTLY, status=500)
    assert "is now a contact" in running.slack.command(OWNER, "contact add lee@example.com").text
    assert "lee@example.com" in running.slack.command(OWNER, "contacts").text


@pytest.fixture
def database_down(stub: SlackStub) -> Iterator[Running]:
    engine = make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1")
    with serve_bot(engine, stub) as running:
        yield running


def test_while_the_database_is_down_people_get_a_clear_message(database_down: Running) -> None:
    answer = database_down.slack.command(OWNER, "list")
    assert answer.status_code == 200
    assert APOLOGY in answer.text
    assert httpx.get(f"{database_down.base_url}/healthz").status_code == 503
    assert database_down.api("T0001/users").status_code == 503


def test_secrets_never_reach_logs_or_replies(
    database_down: Running, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    running = database_down
    running.stub.fail_next("users.info", times=PERSISTENTLY, status=500)
    replies = [running.slack.command(OWNER, text).text for text in ("list", "setup Acme", "")]
    running.slack.post("token=x", "application/x-www-form-urlencoded", secret="wrong-secret")
    replies.append(running.api("T0001/users").text)
    replies.append(running.api("T0001/users", token="guess").text)
    _apologised(running)
    seen = caplog.text + "\n".join(replies) + json.dumps(running.stub.responses())
    assert caplog.records, "the run should have logged its errors"
    for secret in (running.stub.bot_token, SECRET, API_TOKEN):
        assert secret not in seen
