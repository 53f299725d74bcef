"""The owner's `/billing-invite list` is answered before Bolt once Bolt has built the reply,
through the real HTTP path on each database: never stale (whichever replica made the change),
never shown to anyone but the owner, its ages fresh each minute."""

from collections.abc import Callable
from datetime import timedelta

import httpx
import pytest
from slack_bolt import BoltRequest, BoltResponse
from sqlalchemy import Engine

from tests.e2e.conftest import OWNER, Running, serve_bot
from tests.e2e.slack_requests import command_body
from tests.e2e.steps import invite, set_up
from tests.slack_stub import SlackStub

ANA = "ana@example.com"


def count_bolt_dispatches(running: Running, monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Requests that reached Bolt from now on."""
    reached: list[object] = []
    dispatch: Callable[[BoltRequest], BoltResponse] = running.bot.app.dispatch

    def counting(request: BoltRequest) -> BoltResponse:
        reached.append(request)
        return dispatch(request)

    monkeypatch.setattr(running.bot.app, "dispatch", counting)
    return reached


def listed(running: Running, user: str = OWNER) -> httpx.Response:
    answer = running.slack.command(user, "list")
    assert answer.status_code == 200
    return answer


def test_the_owners_list_is_answered_again_without_bolt(
    running: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_up(running)
    invite(running, ANA, ["invoices"])
    reached = count_bolt_dispatches(running, monkeypatch)
    first = listed(running)
    assert ANA in first.text
    assert len(reached) == 1
    again = listed(running)
    assert again.json() == first.json()
    assert again.headers["content-type"] == first.headers["content-type"]
    assert len(reached) == 1


def test_a_change_made_through_another_replica_shows_in_the_next_list(
    engine: Engine, stub: SlackStub
) -> None:
    with serve_bot(engine, stub) as this, serve_bot(engine, stub) as other:
        set_up(this)
        assert ANA not in listed(this).text
        assert ANA not in listed(this).text  # now answered from what this replica keeps
        invite(other, ANA, ["invoices"])
        assert ANA in listed(this).text
        assert other.slack.command(OWNER, f"revoke {ANA}").status_code == 200
        assert ANA not in listed(this).text


def test_once_the_owners_list_is_kept_nobody_else_gets_it(running: Running) -> None:
    set_up(running)
    listed(running)
    listed(running)
    running.stub.add_user("U0EVE", "eve@example.com")
    assert "only the owner of Acme Ltd" in listed(running, "U0EVE").text
    assert (
        "not installed in this workspace"
        in running.slack.command(OWNER, "list", team="T0OTHER").text
    )
    body = command_body(OWNER, "list", "https://hooks.example/x", channel="C0", team="T0001")
    form = "application/x-www-form-urlencoded"
    assert running.slack.post(body, form, secret="not-the-secret").status_code == 401
    assert running.slack.post(body, form, age_seconds=6 * 60).status_code == 401


def test_a_minute_later_the_list_shows_fresh_ages(running: Running) -> None:
    set_up(running)
    invite(running, ANA, ["invoices"])
    assert "just now" in listed(running).text
    assert "just now" in listed(running).text
    running.clock.advance(timedelta(hours=2))
    assert "2 hours ago" in listed(running).text
