"""Hostile input through the real HTTP path: whatever is typed, a clear answer (never a 500),
and nothing a person typed reaches Slack as markup."""

import json
import logging
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.blocks import ids
from tests.e2e.conftest import OWNER, Running
from tests.e2e.steps import access, invite, opened_view, set_up

# Markup the bot itself writes: mentions of stored user ids, channels, and date tokens.
OWN_MARKUP = re.compile(r"<@U[A-Z0-9]+>|<#C[A-Z0-9]+>|<!date\^\d+\^[^|>]*\|[^>]*>")
HOSTILE = st.one_of(
    st.text(max_size=300),
    st.sampled_from(["<!channel>", "<!here|here>", "<@U0OWNER>", "*bold* _it_ ~x~ `code`",
                     "'; DROP TABLE member; --", "a\x00b\x1f\u202e", "x" * 10_000,
                     "<mailto:a@b.co|a@b.co> <https://evil.example|click>"]),
    st.lists(st.sampled_from(["list", "remove", "contact", "add", "setup", "<!channel>",
                              "ana@example.com", "@", "<", "&", ">"]), max_size=6).map(" ".join),
)  # fmt: skip
FUZZ = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip


def _texts(payload: Any) -> list[str]:
    """Every "text" string in a reply, however deeply nested."""
    if isinstance(payload, dict):
        own = [payload["text"]] if isinstance(payload.get("text"), str) else []
        return own + [t for value in payload.values() for t in _texts(value)]
    if isinstance(payload, list):
        return [t for item in payload for t in _texts(item)]
    return []


def _assert_no_foreign_markup(payload: Any) -> None:
    for text in _texts(payload):
        assert "<" not in OWN_MARKUP.sub("", text), text


@FUZZ
@given(text=HOSTILE)
def test_any_command_text_gets_a_clear_safe_answer(running: Running, text: str) -> None:
    answer = running.slack.command(OWNER, text)
    assert answer.status_code == 200
    if answer.content:
        _assert_no_foreign_markup(answer.json())


@FUZZ
@given(emails=HOSTILE)
def test_any_invite_form_gets_a_field_error_or_an_outcome(running: Running, emails: str) -> None:
    if running.bot.deps.core.accounts.find("T0001") is None:
        set_up(running)
    answer = invite(running, emails, ["invoices"])
    assert answer["response_action"] in {"errors", "update"}
    if answer["response_action"] == "errors":
        assert set(answer["errors"]) == {ids.EMAILS_BLOCK}
    _assert_no_foreign_markup(answer)


def test_hostile_names_are_escaped_everywhere_they_are_shown(running: Running) -> None:
    set_up(running, "<!channel> & <@U0EVE> *Corp*")
    running.slack.command(OWNER, "contact add lee@example.com <!here> <https://evil.example|x>")
    invite(running, "ana@example.com", None)
    for text in ("list", "pending", "contacts", "audit", "help <!everyone>"):
        _assert_no_foreign_markup(running.slack.command(OWNER, text).json())
    running.slack.event({"type": "app_home_opened", "user": OWNER, "tab": "home"})
    running.stub.wait_for(lambda _calls: running.stub.home_view(OWNER) is not None)
    for call in running.stub.calls:
        _assert_no_foreign_markup(call.args)


def test_a_permissions_modal_edited_to_name_the_owner_or_a_stranger_changes_nothing(
    running: Running,
) -> None:
    running.stub.add_user("U0ANA", "ana@example.com")
    set_up(running)
    refusal = running.slack.command(OWNER, "permissions owner@acme.example.com").text
    assert "owner always holds every permission" in refusal
    invite(running, "ana@example.com", ["invoices"])
    view = opened_view(running, ids.INVITE_MODAL)
    chosen = {"type": "checkboxes", "selected_options": [{"value": "orders"}]}
    values = {ids.PERMISSIONS_BLOCK: {ids.PERMISSIONS_INPUT: chosen}}
    for forged in ("owner@acme.example.com", "stranger@example.com", "<!channel>"):
        forged_view = {**view, "callback_id": ids.PERMISSIONS_MODAL, "private_metadata": forged}
        answer = running.slack.submit(OWNER, forged_view, values).json()
        assert answer["response_action"] == "update"
        _assert_no_foreign_markup(answer)
    assert access(running, "owner@acme.example.com")["permissions"] != ["orders"]
    assert access(running, "ana@example.com")["status"] == "invited"


@pytest.mark.parametrize("action_id", [ids.ACCEPT, ids.DECLINE])
def test_a_forged_invitation_button_gets_not_found_and_no_error(
    running: Running, caplog: pytest.LogCaptureFixture, action_id: str
) -> None:
    running.stub.add_user("U0ANA", "ana@example.com")
    set_up(running)
    earlier = len(running.stub.responses())
    for value in ["424242", "\u00b2", "9" * 25, "-1", "1e3", " 12", "", str(2**31)]:
        _click_and_wait_for_the_reply(running, action_id, value)
    replies = [json.dumps(response) for response in running.stub.responses()[earlier:]]
    assert all("That invitation does not exist." in reply for reply in replies), replies
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def _click_and_wait_for_the_reply(running: Running, action_id: str, value: str) -> None:
    replied = len(running.stub.responses()) + 1
    running.slack.click("U0ANA", action_id, value)
    running.stub.wait_for(lambda _calls: len(running.stub.responses()) == replied)
