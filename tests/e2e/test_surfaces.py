"""The other surfaces: settings, contacts, audit, pending, remove confirmation, every App Home."""

import json

from bot.blocks import ids
from tests.e2e.conftest import OWNER, Running
from tests.e2e.steps import button_value, invitation_dm, invite, opened_view, set_up, wait_for_dm

ANA = "ana@example.com"


def _durations(first: str, repeat: str, expiry: str, channel: str = "C0NEW") -> dict[str, object]:
    def typed(block: str, action: str, value: str) -> dict[str, object]:
        return {block: {action: {"type": "plain_text_input", "value": value}}}

    return {
        ids.CHANNEL_BLOCK: {
            ids.CHANNEL_INPUT: {"type": "conversations_select", "selected_conversation": channel}
        },
        **typed(ids.FIRST_BLOCK, ids.FIRST_INPUT, first),
        **typed(ids.REPEAT_BLOCK, ids.REPEAT_INPUT, repeat),
        **typed(ids.EXPIRY_BLOCK, ids.EXPIRY_INPUT, expiry),
    }


def test_settings_modal_checks_durations_and_saves(running: Running) -> None:
    set_up(running)
    running.slack.command(OWNER, "settings")
    view = opened_view(running, ids.SETTINGS_MODAL)
    assert "C0BILLING" in json.dumps(view)
    answer = running.slack.submit(OWNER, view, _durations("soon", "1h", "3d")).json()
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {ids.FIRST_BLOCK}
    assert running.slack.submit(OWNER, view, _durations("2h", "6h", "3d")).status_code == 200
    account = running.bot.deps.core.accounts.require("T0001")
    assert (account.reminders_channel_id, account.reminder_first_after_s) == ("C0NEW", 7200)
    assert account.invite_expires_after_s == 3 * 86400


def test_contacts_by_command(running: Running) -> None:
    set_up(running)
    assert (
        "is now a contact" in running.slack.command(OWNER, "contact add lee@example.com Lee").text
    )
    assert "lee@example.com" in running.slack.command(OWNER, "contacts").text
    assert "already a contact" in running.slack.command(OWNER, "contact add LEE@example.com").text
    assert (
        "no longer a contact" in running.slack.command(OWNER, "contact remove lee@example.com").text
    )
    assert "not a valid email" in running.slack.command(OWNER, "contact add lee@").text


def test_audit_and_pending_by_command(running: Running) -> None:
    set_up(running)
    invite(running, ANA, ["invoices"])
    pending = running.slack.command(OWNER, "pending").json()
    assert ANA in json.dumps(pending)
    assert ids.RESEND in json.dumps(pending)
    audit = running.slack.command(OWNER, "audit").text
    assert "*Invitation created* \\u00b7 ana@example.com" in audit
    assert "was sent again" in running.slack.command(OWNER, f"resend {ANA}").text
    assert "was revoked" in running.slack.command(OWNER, f"revoke {ANA}").text
    assert running.api(f"T0001/users/{ANA}").json()["status"] == "revoked"


def test_remove_asks_for_confirmation_first(running: Running) -> None:
    running.stub.add_user("U0ANA", ANA)
    set_up(running)
    invite(running, ANA, ["invoices"])
    running.slack.click(
        "U0ANA", ids.ACCEPT, button_value(invitation_dm(running, "U0ANA"), ids.ACCEPT)
    )
    wait_for_dm(running, OWNER, "accepted")
    answer = running.slack.command(OWNER, f"remove {ANA}").json()
    assert ids.REMOVE in json.dumps(answer)
    assert '"confirm"' in json.dumps(answer)
    assert running.api(f"T0001/users/{ANA}").json()["status"] == "active"


def test_each_viewer_gets_their_own_app_home(running: Running) -> None:
    running.stub.add_user("U0ANA", ANA)
    running.stub.add_user("U0EVE", "eve@example.com")

    def publishes(user: str) -> int:
        return sum(c.args.get("user_id") == user for c in running.stub.calls_to("views.publish"))

    def opened(user: str) -> str:
        before = publishes(user)
        running.slack.event({"type": "app_home_opened", "user": user, "tab": "home"})
        running.stub.wait_for(lambda _c: publishes(user) > before)
        return json.dumps(running.stub.home_view(user))

    assert "setup" in opened("U0EVE")
    set_up(running)
    invite(running, ANA, ["invoices", "quotes"])
    running.slack.click(
        "U0ANA", ids.ACCEPT, button_value(invitation_dm(running, "U0ANA"), ids.ACCEPT)
    )
    running.stub.wait_for(lambda _c: publishes("U0ANA") > 0)
    user_home = json.dumps(running.stub.home_view("U0ANA"))
    assert "View &amp; Pay Invoices" in user_home
    assert ids.MANAGE not in user_home
    outsider = opened("U0EVE")
    assert f"<@{OWNER}>" in outsider
    assert ids.MANAGE not in outsider
    owner_home = json.dumps(running.stub.home_view(OWNER))
    assert ANA in owner_home
    assert ids.MANAGE in owner_home
