"""The whole story through signed HTTP requests, against the stand-in Slack Web API."""

import json

from bot.blocks import ids
from tests.e2e.conftest import OWNER, OWNER_EMAIL, Running
from tests.e2e.steps import (
    access,
    button_value,
    invitation_dm,
    invite,
    opened_view,
    set_up,
    wait_for_dm,
)

ANA = "ana@example.com"
THREE = ["invoices", "quotes", "tickets"]


def test_invite_accept_manage_remove_and_restore(running: Running) -> None:
    running.stub.add_user("U0ANA", ANA)
    set_up(running)

    answer = invite(running, ANA, THREE)
    assert answer["response_action"] == "update"
    assert ANA in json.dumps(answer["view"])
    assert access(running, ANA)["status"] == "invited"
    assert access(running, ANA)["permissions"] == []
    assert access(running, ANA)["invitation"]["permissions"] == THREE

    dm = invitation_dm(running, "U0ANA")
    assert "View &amp; Pay Invoices" in json.dumps(dm)  # & is escaped in mrkdwn
    assert running.slack.click("U0ANA", ids.ACCEPT, button_value(dm, ids.ACCEPT)).status_code == 200
    wait_for_dm(running, OWNER, "accepted your invitation")
    assert access(running, ANA) == {
        "email": ANA,
        "role": "user",
        "status": "active",
        "permissions": THREE,
        "slack_user_id": "U0ANA",
    }
    running.stub.wait_for(
        lambda _calls: (
            ids.ACCEPT not in json.dumps(running.stub.messages(running.stub.dm_channel("U0ANA"))[0])
        )
    )

    running.slack.command(OWNER, f"permissions {ANA}")
    modal = opened_view(running, ids.PERMISSIONS_MODAL)
    assert "invoices" in json.dumps(modal)
    chosen = {"type": "checkboxes", "selected_options": [{"value": "domains"}]}
    saved = running.slack.submit(
        OWNER, modal, {ids.PERMISSIONS_BLOCK: {ids.PERMISSIONS_INPUT: chosen}}
    )
    assert saved.status_code == 200
    assert access(running, ANA)["permissions"] == ["domains"]
    wait_for_dm(running, "U0ANA", "were changed")

    assert running.slack.click(OWNER, ids.REMOVE, ANA).status_code == 200
    running.stub.wait_for(lambda _c: "no longer has access" in json.dumps(running.stub.responses()))
    assert access(running, ANA)["status"] == "removed"
    assert access(running, ANA)["permissions"] == []
    wait_for_dm(running, "U0ANA", "was removed")

    invite(running, ANA, ["orders"])
    again = invitation_dm(running, "U0ANA")
    running.slack.click("U0ANA", ids.ACCEPT, button_value(again, ids.ACCEPT))
    running.stub.wait_for(lambda _c: access(running, ANA)["status"] == "active")
    assert access(running, ANA)["permissions"] == ["orders"]


def test_the_owner_sees_the_user_management_table_in_app_home(running: Running) -> None:
    set_up(running)
    invite(running, ANA, None)
    running.slack.event(
        {
            "type": "app_home_opened",
            "user": OWNER,
            "tab": "home",
            "channel": "D0HOME",
            "event_ts": "1700000000.000100",
        }
    )
    running.stub.wait_for(lambda _c: ANA in json.dumps(running.stub.home_view(OWNER)))
    home = json.dumps(running.stub.home_view(OWNER))
    for expected in (OWNER_EMAIL, ids.OPEN_INVITE, ids.RESEND, ids.REVOKE):
        assert expected in home


def test_a_newcomer_gets_their_pending_invitation_on_joining(running: Running) -> None:
    set_up(running)
    invite(running, "new@example.com", ["emails"])
    running.stub.add_user("U0NEW", "new@example.com")
    running.slack.event(
        {
            "type": "team_join",
            "user": {"id": "U0NEW", "team_id": "T0001", "profile": {"email": "new@example.com"}},
        }
    )
    assert "View Emails" in json.dumps(invitation_dm(running, "U0NEW"))


def test_access_api_needs_the_token_and_knows_unknown_emails(running: Running) -> None:
    set_up(running)
    assert running.api("T0001/users", token=None).status_code == 401
    assert running.api("T0001/users", token="wrong").status_code == 401
    users = running.api("T0001/users").json()
    assert [(u["email"], u["role"]) for u in users] == [(OWNER_EMAIL, "owner")]
    assert running.api("T0001/users/nobody@example.com").status_code == 404
    assert running.api("T0001/users/not-an-email").status_code == 400
    assert running.api("T0BOGUS/users").status_code == 404
