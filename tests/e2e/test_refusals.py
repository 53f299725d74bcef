"""Everything that must be refused, and must change nothing, through the real HTTP path."""

import json
from urllib.parse import urlencode

import httpx
import pytest

from bot.blocks import ids
from tests.e2e.conftest import OWNER, Running
from tests.e2e.slack_requests import click_payload, command_body
from tests.e2e.steps import access, button_value, invitation_dm, invite, set_up, wait_for_dm

ANA = "ana@example.com"


@pytest.fixture
def with_ana(running: Running) -> Running:
    """An account whose owner invited Ana (U0ANA); Eve (U0EVE) is in the workspace too."""
    running.stub.add_user("U0ANA", ANA)
    running.stub.add_user("U0EVE", "eve@example.com")
    set_up(running)
    invite(running, ANA, ["invoices"])
    return running


def _trail(running: Running) -> list[tuple[str, str]]:
    return [(e.action, e.target) for e in running.bot.deps.core.audit.trail("T0001")]


def test_a_non_owner_is_refused_politely_and_nothing_changes(with_ana: Running) -> None:
    before = _trail(with_ana)
    for text in ("list", "pending", f"remove {ANA}", f"revoke {ANA}", "audit", "settings", ""):
        answer = with_ana.slack.command("U0EVE", text)
        assert answer.status_code == 200
        assert "only the owner of Acme Ltd" in answer.text, (text, answer.text)
    assert _trail(with_ana) == before
    assert with_ana.stub.opened_views() == [
        v for v in with_ana.stub.opened_views() if v["callback_id"] == ids.INVITE_MODAL
    ]


def test_someone_elses_accept_click_is_refused(with_ana: Running) -> None:
    dm = invitation_dm(with_ana, "U0ANA")
    with_ana.slack.click("U0EVE", ids.ACCEPT, button_value(dm, ids.ACCEPT))
    with_ana.stub.wait_for(
        lambda _c: "addressed to someone else" in json.dumps(with_ana.stub.responses())
    )
    assert access(with_ana, ANA)["status"] == "invited"


def test_a_forged_remove_click_by_a_user_is_refused(with_ana: Running) -> None:
    dm = invitation_dm(with_ana, "U0ANA")
    with_ana.slack.click("U0ANA", ids.ACCEPT, button_value(dm, ids.ACCEPT))
    wait_for_dm(with_ana, OWNER, "accepted")
    with_ana.slack.click("U0ANA", ids.REMOVE, ANA)
    with_ana.stub.wait_for(lambda _c: "only the owner" in json.dumps(with_ana.stub.responses()))
    assert access(with_ana, ANA)["status"] == "active"


def test_a_double_click_on_accept_grants_once(with_ana: Running) -> None:
    value = button_value(invitation_dm(with_ana, "U0ANA"), ids.ACCEPT)
    for _ in range(2):
        with_ana.slack.click("U0ANA", ids.ACCEPT, value)
    wait_for_dm(with_ana, OWNER, "accepted")
    assert _trail(with_ana).count(("invitation.accepted", ANA)) == 1


def test_bad_emails_and_empty_choices_keep_the_modal_open(with_ana: Running) -> None:
    answer = invite(with_ana, "ok@example.com, not-an-email", ["invoices"])
    assert answer["response_action"] == "errors"
    assert "not-an-email" in answer["errors"][ids.EMAILS_BLOCK]
    answer = invite(with_ana, "ok@example.com", [])
    assert ids.PERMISSIONS_BLOCK in answer["errors"]
    assert with_ana.api("T0001/users/ok@example.com").status_code == 404


def test_only_a_workspace_admin_sets_up_and_only_once(running: Running) -> None:
    running.stub.add_user("U0EVE", "eve@example.com")
    running.slack.command("U0EVE", "setup Evil Corp")
    running.stub.wait_for(lambda _c: "workspace admin" in json.dumps(running.stub.responses()))
    assert running.bot.deps.core.accounts.find("T0001") is None
    set_up(running)
    running.slack.command(OWNER, "setup Other Name")
    running.stub.wait_for(
        lambda _c: "already has a billing account" in json.dumps(running.stub.responses())
    )
    assert running.bot.deps.core.accounts.require("T0001").name == "Acme Ltd"


def test_usage_on_help_and_on_anything_not_understood(running: Running) -> None:
    assert "/billing-invite pending" in running.slack.command(OWNER, "help").text
    answer = running.slack.command(OWNER, "frobnicate <!channel>").json()
    assert "frobnicate" in answer["text"]
    assert "<!channel>" not in json.dumps(answer)


def test_mentions_typed_by_people_never_reach_slack_unescaped(running: Running) -> None:
    set_up(running, "<!channel> Corp <@U0EVE>")
    running.slack.command(OWNER, "contact add lee@example.com <!here> *boss* <@U0EVE>")
    running.slack.event({"type": "app_home_opened", "user": OWNER, "tab": "home"})
    running.stub.wait_for(lambda _c: running.stub.home_view(OWNER) is not None)
    sent = json.dumps([call.args for call in running.stub.calls])
    assert "<!channel>" not in sent
    assert "<!here>" not in sent
    assert "<@U0EVE>" not in sent
    assert "&lt;!channel&gt;" in sent


@pytest.mark.parametrize("forgery", ["unsigned", "wrong secret", "stale", "altered"])
def test_forged_and_replayed_requests_are_rejected(running: Running, forgery: str) -> None:
    body = command_body(
        OWNER, "setup Acme", running.stub.response_url(), channel="C1", team="T0001"
    )
    form = "application/x-www-form-urlencoded"
    if forgery == "unsigned":
        answer = httpx.post(
            f"{running.base_url}/slack/events", content=body, headers={"Content-Type": form}
        )
    elif forgery == "wrong secret":
        answer = running.slack.post(body, form, secret="not-the-secret")
    elif forgery == "stale":
        answer = running.slack.post(body, form, age_seconds=6 * 60)
    else:
        answer = running.slack.post(body, form, sent_body=body.replace("setup+Acme", "setup+Evil"))
    assert answer.status_code == 401
    assert running.bot.deps.core.accounts.find("T0001") is None


def test_a_retried_event_is_handled_once(with_ana: Running) -> None:
    invite(with_ana, "new@example.com", ["emails"])
    with_ana.stub.add_user("U0NEW", "new@example.com")
    event = {"type": "team_join", "user": {"id": "U0NEW", "profile": {"email": "new@example.com"}}}
    with_ana.slack.event(event, event_id="Ev0JOIN")
    with_ana.slack.event(event, event_id="Ev0JOIN", retry_num=1)
    invitation_dm(with_ana, "U0NEW")
    dms = [
        m
        for m in with_ana.stub.messages(with_ana.stub.dm_channel("U0NEW"))
        if ids.ACCEPT in json.dumps(m)
    ]
    assert len(dms) == 1


def test_a_click_from_another_workspace_is_refused(with_ana: Running) -> None:
    value = button_value(invitation_dm(with_ana, "U0ANA"), ids.ACCEPT)
    payload = click_payload(
        "U0ANA", ids.ACCEPT, value, team="T0OTHER", response_url=with_ana.stub.response_url("other")
    )
    with_ana.slack.post(
        urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded"
    )
    with_ana.stub.wait_for(
        lambda _c: "not installed in this workspace" in json.dumps(with_ana.stub.responses())
    )
    assert access(with_ana, ANA)["status"] == "invited"
