"""Which workspace a request is about (issue 15), each case replayed from Slack's own recorded
payload in ``../shared/slack/replay_payloads/adapted/``: a foreign team, Slack Connect, an
organisation-wide install, an Events API envelope from the other side, a dead trigger."""

import json
import logging

import httpx
import pytest

from bot.blocks import ids
from tests.e2e.conftest import OWNER, Running
from tests.e2e.replay import Fill, load_corpus, render
from tests.e2e.steps import access, eventually, invite, set_up

PARTNER = "T0PARTNER"
OUTSIDER = "W0EXT"
OUTSIDER_EMAIL = "ext@partner.example.com"
ADAPTED = {payload.id: payload for payload in load_corpus() if payload.folder == "adapted"}


@pytest.fixture
def acme(running: Running) -> Running:
    """T0001's account, an outsider from T0PARTNER invited to it, and logs at every level."""
    if not ADAPTED:
        pytest.fail("Slack's recorded payloads are missing: ../shared/slack/replay_payloads")
    running.stub.add_user(OUTSIDER, OUTSIDER_EMAIL, is_admin=True, team_id=PARTNER)
    set_up(running)
    invite(running, OUTSIDER_EMAIL, ["invoices"])
    return running


def _replay(running: Running, name: str) -> httpx.Response:
    """Post the adapted payload ``name`` as Slack would."""
    pending = running.bot.deps.core.invitations.pending("T0001", actor=OWNER)
    by_email = {invitation.email: invitation.id or 0 for invitation in pending}
    fill = Fill(running.stub.response_url, lambda email: by_email[email])
    post = render(ADAPTED[name], fill)
    return running.slack.post(post.body, post.content_type)


def _said(running: Running, text: str) -> None:
    running.stub.wait_for(lambda _calls: text in json.dumps(running.stub.responses()))


def test_a_foreign_team_cannot_set_up_an_account(acme: Running) -> None:
    answer = _replay(acme, "java__SlashCommandPayload__L1__command__foreign-team-setup")
    assert answer.status_code == 200
    assert "not installed in this workspace" in answer.text
    assert acme.bot.deps.core.accounts.find(PARTNER) is None


@pytest.mark.parametrize(
    "name",
    [
        "bolt__test_view_submission__L142__view_submission__connect-ext-user-invite",
        "bolt__test_view_submission__L142__view_submission__connect-owner-after-partner-setup",
    ],
)
def test_a_slack_connect_submission_concerns_the_installed_workspace(
    acme: Running, name: str
) -> None:
    before = acme.bot.deps.core.audit.trail("T0001")
    answer = _replay(acme, name)
    assert answer.status_code == 200
    assert "only the owner of Acme Ltd can invite" in answer.text
    assert f"signed in from another organisation, {PARTNER}" in answer.text
    assert acme.bot.deps.core.accounts.find(PARTNER) is None
    assert acme.bot.deps.core.audit.trail("T0001") == before


def test_an_outsider_is_refused_naming_their_organisation(acme: Running) -> None:
    name = "bolt__test_block_actions__L161__block_actions__connect-ext-user-revoke"
    assert _replay(acme, name).status_code == 200
    _said(acme, f"signed in from another organisation, {PARTNER}")
    assert access(acme, OUTSIDER_EMAIL)["status"] == "invited"


def test_an_outsider_who_is_the_addressee_accepts_and_the_audit_names_them(
    acme: Running,
) -> None:
    name = "bolt__test_block_actions__L161__block_actions__connect-ext-user-accept"
    assert _replay(acme, name).status_code == 200
    eventually(lambda: access(acme, OUTSIDER_EMAIL)["status"] == "active")
    accepted = acme.bot.deps.core.audit.trail("T0001")[-1]
    assert (accepted.action, accepted.actor_user_id) == ("invitation.accepted", OUTSIDER)
    assert PARTNER in accepted.detail


def test_a_click_counted_as_the_other_team_changes_nothing(acme: Running) -> None:
    name = "bolt__test_block_actions__L161__block_actions__connect-ext-team-accept"
    assert _replay(acme, name).status_code == 200
    _said(acme, "not installed in this workspace")
    assert access(acme, OUTSIDER_EMAIL)["status"] == "invited"


@pytest.mark.parametrize("user_team", ["E0ACME", "T0001"])
def test_an_organisation_wide_request_gets_a_clear_answer(acme: Running, user_team: str) -> None:
    name = (
        "bolt__test_block_actions__L161__block_actions__"
        f"orgwide-team-null-owner-resend-userteam-{user_team}"
    )
    before = acme.bot.deps.core.audit.trail("T0001")
    assert _replay(acme, name).status_code == 200
    _said(acme, "works per workspace")
    assert acme.bot.deps.core.audit.trail("T0001") == before


def test_an_event_from_the_other_side_of_a_shared_channel_is_this_workspaces(
    acme: Running,
) -> None:
    name = "bolt__test_events_org_apps__L153__event-app_home_opened__home-owner-connect-envelope"
    acme.stub.reset_calls()
    assert _replay(acme, name).status_code == 200
    acme.stub.wait_for_calls("views.publish")
    assert "User Management" in json.dumps(acme.stub.home_view(OWNER))


@pytest.mark.parametrize(
    ("name", "fault"),
    [
        ("java__SlashCommandPayload__L1__command__owner-empty", "exchanged_trigger_id"),
        ("java__SlashCommandPayload__L1__command__owner-empty", "expired_trigger_id"),
        ("bolt__test_internals__L39__command__owner-empty", None),  # it has no trigger_id
    ],
)
def test_a_form_slack_will_not_open_asks_to_run_the_command_again(
    acme: Running, caplog: pytest.LogCaptureFixture, name: str, fault: str | None
) -> None:
    if fault is not None:
        acme.stub.error_next("views.open", fault)
    forms = _invite_forms(acme)
    with caplog.at_level(logging.INFO):
        answer = _replay(acme, name)
        assert answer.status_code == 200
        if "Please run the command again" not in answer.text:
            _said(acme, "Please run the command again")
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert _invite_forms(acme) == forms


def _invite_forms(running: Running) -> int:
    return sum(view.get("callback_id") == ids.INVITE_MODAL for view in running.stub.opened_views())


def test_a_request_no_listener_handles_is_one_quiet_line(
    acme: Running, caplog: pytest.LogCaptureFixture
) -> None:
    event = {"type": "reaction_added", "user": OWNER, "reaction": "secret-marker"}
    with caplog.at_level(logging.DEBUG):
        assert acme.slack.event(event).status_code == 404
    said = [r.getMessage() for r in caplog.records if "listener" in r.getMessage()]
    assert said == ["no listener for 'event reaction_added'; answered 404"]
    assert "secret-marker" not in caplog.text


@pytest.mark.parametrize(("team", "user"), [("T0OTHER", OWNER), ("T0001", "U0EVE")])
def test_a_refused_app_home_click_is_answered_before_slack_answers_the_refusal(
    acme: Running, team: str, user: str
) -> None:
    """The refusal can only be shown in a modal (App Home has no conversation); the answer to
    Slack must not wait for ``views.open``, which here takes longer than Slack's 3 seconds."""
    acme.stub.add_user("U0EVE", "eve@example.com")
    acme.stub.delay_next("views.open", 5)
    acme.slack.http.timeout = httpx.Timeout(3.0)  # Slack gives up after three seconds
    answer = acme.slack.click(user, ids.OPEN_INVITE, "", in_home=True, team=team)
    assert answer.status_code == 200
    acme.stub.wait_for_calls("views.open", timeout=10)
