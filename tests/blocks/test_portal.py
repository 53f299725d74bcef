"""What the owner and invitees are shown once an account is connected to WHMCS (DESIGN §9)."""

from typing import Any

import pytest

from bot.blocks import ids
from bot.blocks.home import owner_home
from bot.blocks.messages import (
    Message,
    contacts_list,
    invitation_dm,
    invitation_nudge,
    invite_outcome,
    pending_list,
    portal_news,
    reminder_digest,
    user_table,
)
from bot.blocks.portal import checking_client, code_sent, connected, disconnected
from bot.blocks.rows import SYNCING
from bot.core.invitations import InviteResult
from bot.core.permissions import ALL_KEYS
from storage.tables import Account
from tests.blockkit_limits import assert_valid_home
from tests.blocks import (
    HOSTILE,
    HUGE,
    HUGE_EMAIL,
    NOW,
    OWNER,
    account,
    action_ids,
    assert_no_raw_markup,
    assert_valid,
    contact,
    invitation,
    left_out,
    many_contacts,
    many_invitations,
    many_members,
    member,
    owner,
    rendered,
)

CONNECTED = "Connected to WHMCS client 12"


def connected_account(name: str = "Acme Ltd") -> Account:
    linked = account(name)
    linked.whmcs_client_id = 12
    return linked


def checked(message: Message) -> Message:
    assert_valid(message)
    assert_no_raw_markup(message.blocks)
    assert_no_raw_markup(message.text)
    return message


# --- The invitee's DM -------------------------------------------------------------------------


def test_the_portal_invitation_dm_says_where_to_accept_and_has_no_buttons() -> None:
    message = checked(invitation_dm(connected_account(), invitation(permissions=("invoices",))))
    assert message.text == f"<@{OWNER}> invited you to the billing account *Acme Ltd*."
    text = rendered(message.blocks)
    assert "*It grants:*\n• View &amp; Pay Invoices" in text
    assert "look for the billing portal's email to new@acme.example.com" in text
    assert "This invitation expires" in text
    assert not action_ids(message.blocks)


def test_the_portal_nudge_has_no_buttons_either() -> None:
    message = checked(invitation_nudge(connected_account(), invitation()))
    assert "billing portal's email" in rendered(message.blocks)
    assert not action_ids(message.blocks)


def test_the_ledger_invitation_dm_keeps_accept_and_decline() -> None:
    message = checked(invitation_dm(account(), invitation()))
    assert action_ids(message.blocks) == {ids.ACCEPT, ids.DECLINE}
    assert "billing portal" not in rendered(message.blocks)


def test_the_portal_invitation_dm_of_hostile_and_huge_text_stays_valid() -> None:
    checked(invitation_dm(connected_account(HOSTILE + HUGE), invitation(HUGE_EMAIL, ALL_KEYS)))
    checked(invitation_nudge(connected_account(HOSTILE), invitation("<!channel>@x.example")))


def test_the_invite_outcome_says_the_portal_emails_the_invitees() -> None:
    result = InviteResult(connected_account(), invited=[invitation()])
    assert "The billing portal emails each of them" in rendered(invite_outcome(result).blocks)
    ledger = InviteResult(account(), invited=[invitation()])
    assert "direct message to accept or decline" in rendered(invite_outcome(ledger).blocks)


# --- Rows WHMCS has not confirmed yet ---------------------------------------------------------


def _home(linked: Account, **syncing: bool) -> dict[str, Any]:
    user, pending, listed = member(), invitation(), contact()
    user.syncing = syncing.get("member", False)
    pending.syncing = syncing.get("invitation", False)
    listed.syncing = syncing.get("contact", False)
    view = owner_home(linked, [owner(), user], [pending], [listed], NOW)
    assert_valid_home(view)
    return view


def _row_of(payload: object, email: str) -> str:
    return next(text for text in rendered(payload).split("\n*") if text.startswith(email))


@pytest.mark.parametrize(
    ("kind", "email"),
    [
        ("member", "finance@acme.example.com"),
        ("invitation", "new@acme.example.com"),
        ("contact", "accounts@acme.example.com"),
    ],
)
def test_a_syncing_row_says_so_and_only_that_row(kind: str, email: str) -> None:
    view = _home(connected_account(), **{kind: True})
    assert SYNCING in _row_of(view, email)
    assert rendered(view).count(SYNCING) == 1


def test_no_row_says_syncing_while_none_is() -> None:
    assert SYNCING not in rendered(_home(connected_account()))


def test_the_list_replies_show_syncing_rows_too() -> None:
    user, pending, listed = member(), invitation(), contact()
    user.syncing = pending.syncing = listed.syncing = True
    users = checked(user_table(connected_account(), [owner(), user], [pending], NOW))
    assert SYNCING in _row_of(users.blocks, "finance@acme.example.com")
    assert SYNCING in _row_of(users.blocks, "new@acme.example.com")
    assert SYNCING in rendered(checked(pending_list(account(), [pending], NOW)).blocks)
    assert SYNCING in rendered(checked(contacts_list(account(), [listed])).blocks)


def test_the_reminders_channel_is_not_told_of_syncing() -> None:
    pending = invitation()
    pending.syncing = True
    assert SYNCING not in rendered(reminder_digest(connected_account(), [pending], NOW).blocks)


def test_the_owner_sees_the_account_is_connected() -> None:
    assert CONNECTED in rendered(_home(connected_account()))
    assert CONNECTED in rendered(
        checked(user_table(connected_account(), [owner()], [], NOW)).blocks
    )
    assert "WHMCS" not in rendered(_home(account()))
    assert "WHMCS" not in rendered(user_table(account(), [owner()], [], NOW).blocks)


@pytest.mark.parametrize("count", [1, 500])
def test_connected_tables_stay_within_limits(count: int) -> None:
    members, pending, contacts = many_members(count), many_invitations(count), many_contacts(count)
    for row in [*members, *pending, *contacts]:
        row.syncing = True
    view = owner_home(connected_account(HOSTILE + HUGE), members, pending, contacts, NOW)
    assert_valid_home(view)
    assert rendered(view).count("@acme.example.com*") + left_out(view) == 3 * count
    table = checked(user_table(connected_account(HOSTILE + HUGE), members, pending, NOW))
    assert rendered(table.blocks).count("@acme.example.com*") + left_out(table.blocks) == 2 * count


# --- Connecting -------------------------------------------------------------------------------


def test_the_code_reply_says_what_to_type_and_nothing_about_the_client() -> None:
    message = checked(code_sent(12))
    assert message.text == (
        "If WHMCS has a client 12, I emailed a one-time code to the address WHMCS has for it. "
        "Type `/billing-invite connect 12 CODE` with that code within 15 minutes. No email "
        "after a few minutes? Check the client number."
    )


def test_connect_and_disconnect_replies() -> None:
    assert checked(checking_client(12)).text == "Checking WHMCS client 12…"
    joined = checked(connected(connected_account(HOSTILE)))
    assert "to WHMCS client 12. The users of the account now come from WHMCS" in joined.text
    parted = checked(disconnected(account(HOSTILE)))
    assert "is no longer connected to WHMCS" in parted.text


# --- What changed in the billing portal -------------------------------------------------------


def test_portal_news_lists_each_line_under_a_header() -> None:
    lines = ["ana@example.com was added in the billing portal.", "WHMCS refused it: No"]
    message = checked(portal_news(account(), lines))
    assert message.text == "Changes in the billing portal for Acme Ltd"
    assert message.blocks[0]["type"] == "header"
    assert rendered(message.blocks[1:]) == "\n".join(f"• {line}" for line in lines)


def test_portal_news_escapes_hostile_lines_and_keeps_each_on_one_line() -> None:
    hostile = f"WHMCS refused it: {HOSTILE}\n<!here> again"
    message = checked(portal_news(account(HOSTILE), [hostile, HUGE, HUGE_EMAIL]))
    text = rendered(message.blocks[1:])
    assert text.count("• ") == 3
    assert "&lt;!channel&gt;" in text and "&lt;!here&gt; again" in text


@pytest.mark.parametrize("count", [49, 50, 500])
def test_portal_news_of_many_lines_stays_within_limits(count: int) -> None:
    lines = [f"user{i}@acme.example.com was added in the billing portal." for i in range(count)]
    message = checked(portal_news(account(HUGE), lines))
    shown = rendered(message.blocks).count("@acme.example.com")
    assert shown + left_out(message.blocks) == count


def test_portal_news_of_500_huge_lines_says_how_many_were_left_out() -> None:
    message = checked(portal_news(account(), [HOSTILE + HUGE] * 500))
    assert len(message.blocks) == 50
    assert rendered(message.blocks).count("• ") + left_out(message.blocks) == 500
