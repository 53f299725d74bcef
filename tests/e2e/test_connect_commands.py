"""`/billing-invite connect` and `disconnect` through signed requests, where no answer from
WHMCS is needed: bad input, a bot not set up for WHMCS, WHMCS out of reach, and people who
are not the owner."""

import json
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.core.connection import NOT_CONFIGURED
from storage.tables import Account
from tests.e2e.conftest import OWNER, Running, free_port, serve_bot
from tests.e2e.steps import set_up
from tests.slack_stub import SlackStub

EVE = "U0EVE"


@pytest.fixture
def account(running: Running) -> Running:
    """Acme Ltd, owned by OWNER; Eve is in the workspace but owns nothing."""
    running.stub.add_user(EVE, "eve@example.com")
    set_up(running)
    return running


def _trail(running: Running) -> list[str]:
    return [event.action for event in running.bot.deps.core.audit.trail("T0001")]


def _replies_after(running: Running, seen: int) -> list[str]:
    """What the bot posted to response URLs since it had posted ``seen`` replies."""
    return [str(reply["text"]) for reply in running.stub.responses()[seen:]]


@pytest.mark.parametrize(
    "text", ["connect", "connect abc", "connect 12 12345", "connect 12 123456 now"]
)
def test_a_bad_client_id_or_code_gets_the_usage_of_connect(account: Running, text: str) -> None:
    answer = account.slack.command(OWNER, text)
    assert answer.status_code == 200
    shown = answer.json()["text"]
    assert shown == f"I didn't understand “{text}”."
    usage = json.dumps(answer.json()["blocks"], ensure_ascii=False)
    assert "It is used as: `/billing-invite connect CLIENT_ID`" in usage


def test_connect_without_whmcs_says_the_bot_is_not_set_up_for_it(account: Running) -> None:
    before, seen = _trail(account), len(account.stub.responses())
    answer = account.slack.command(OWNER, "connect 12")
    assert answer.status_code == 200
    assert "Checking" not in answer.text
    account.stub.wait_for(lambda _calls: bool(_replies_after(account, seen)))
    assert _replies_after(account, seen) == [NOT_CONFIGURED]
    answer = account.slack.command(OWNER, "connect 12 123456")
    assert answer.json()["text"] == NOT_CONFIGURED
    assert _trail(account) == before


@pytest.mark.parametrize("text", ["connect 12", "disconnect"])
def test_only_the_owner_may_connect_or_disconnect(account: Running, text: str) -> None:
    before, seen = _trail(account), len(account.stub.responses())
    answer = account.slack.command(EVE, text)
    assert answer.status_code == 200
    assert "only the owner of Acme Ltd" in answer.json()["text"]
    assert _replies_after(account, seen) == []
    assert _trail(account) == before


def test_disconnecting_an_account_that_is_not_connected_says_so(account: Running) -> None:
    answer = account.slack.command(OWNER, "disconnect")
    assert answer.json()["text"] == "This account is not connected to WHMCS."


def test_the_owner_sees_the_connection_and_disconnecting_ends_it(
    account: Running, engine: Engine
) -> None:
    with Session(engine) as session:
        linked = session.exec(select(Account)).one()
        linked.whmcs_client_id = 12
        session.add(linked)
        session.commit()
    assert "Connected to WHMCS client 12" in account.slack.command(OWNER, "list").text
    homes = len(_homes_published(account))
    answer = account.slack.command(OWNER, "disconnect")
    assert answer.json()["text"].startswith("*Acme Ltd* is no longer connected to WHMCS.")
    assert _trail(account)[-1] == "portal.disconnected"
    account.stub.wait_for(  # the refresh after disconnecting, whatever was published before
        lambda _calls: (
            len(_homes_published(account)) > homes
            and "WHMCS" not in json.dumps(_homes_published(account)[-1])
        )
    )
    assert "WHMCS" not in account.slack.command(OWNER, "list").text


def _homes_published(running: Running) -> list[dict[str, Any]]:
    return [
        call.args["view"]
        for call in running.stub.calls_to("views.publish")
        if call.args.get("user_id") == OWNER
    ]


def test_while_whmcs_cannot_be_reached_the_owner_is_told_and_nothing_changes(
    engine: Engine, stub: SlackStub
) -> None:
    unreachable = f"http://127.0.0.1:{free_port()}/"
    with serve_bot(engine, stub, **_whmcs_at(unreachable)) as running:
        set_up(running)
        before, seen = _trail(running), len(running.stub.responses())
        answer = running.slack.command(OWNER, "connect 12")
        assert answer.json()["text"] == "Checking WHMCS client 12…"
        running.stub.wait_for(lambda _calls: bool(_replies_after(running, seen)))
        [reply] = _replies_after(running, seen)
        assert reply.startswith("WHMCS could not do it") and "Nothing was changed" in reply
        assert "e2e-whmcs-secret" not in reply
        assert _trail(running) == before


def _whmcs_at(url: str) -> dict[str, str]:
    return {
        "WHMCS_API_URL": url,
        "WHMCS_API_IDENTIFIER": "e2e-whmcs-identifier",
        "WHMCS_API_SECRET": "e2e-whmcs-secret",
    }
