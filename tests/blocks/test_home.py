"""The App Home: the owner's User Management table, a user's own access, the intro."""

from typing import Any

import pytest

from bot.blocks import ids
from bot.blocks.home import outsider_home, owner_home, user_home
from bot.blocks.text import date_token
from bot.core.permissions import ALL_KEYS, CATALOGUE
from storage.tables import Invitation, Member, MemberStatus
from tests.blockkit_limits import assert_valid_home
from tests.blocks import (
    HOSTILE,
    HUGE,
    HUGE_EMAIL,
    NOW,
    OWNER,
    OWNER_EMAIL,
    account,
    action_ids,
    assert_no_raw_markup,
    buttons,
    contact,
    invitation,
    left_out,
    many_contacts,
    many_invitations,
    many_members,
    member,
    owner,
    rendered,
    rendered_mrkdwn,
)


def home(
    members: list[Member] | None = None,
    pending: list[Invitation] | None = None,
    name: str = "Acme Ltd",
) -> dict[str, Any]:
    view = owner_home(
        account(name),
        [owner(), member()] if members is None else members,
        [invitation()] if pending is None else pending,
        [contact()],
        NOW,
    )
    assert_valid_home(view)
    return view


def rows_about(view: dict[str, Any], email: str) -> list[dict[str, Any]]:
    """The section naming ``email``, and the actions block after it if there is one."""
    blocks = view["blocks"]
    at = next(i for i, b in enumerate(blocks) if email in b.get("text", {}).get("text", ""))
    after = blocks[at + 1 : at + 2]
    return [blocks[at], *(b for b in after if b["type"] == "actions")]


def test_owner_home_is_the_user_management_table() -> None:
    view = home()
    assert view["type"] == "home"
    assert view["blocks"][0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "Acme Ltd", "emoji": True},
    }
    [invite] = buttons(view, ids.OPEN_INVITE)
    assert invite["style"] == "primary" and invite["text"]["text"] == "Invite New User"
    text = rendered(view)
    for heading in ("*Users* (2)", "*Pending invitations* (1)", "*Contacts* (1)"):
        assert heading in text
    assert "*accounts@acme.example.com* — Accounts Payable" in text


def test_the_owners_row_has_no_buttons_and_a_users_row_has_both() -> None:
    view = home()
    [owner_row] = rows_about(view, OWNER_EMAIL)
    assert "Owner · Active · All Permissions" in owner_row["text"]["text"]
    assert f"<@{OWNER}>" in owner_row["text"]["text"]
    section, row_actions = rows_about(view, "finance@acme.example.com")
    assert (
        "User · Active · View &amp; Pay Invoices, View &amp; Accept Quotes"
        in (section["text"]["text"])
    )
    manage, remove = row_actions["elements"]
    assert (manage["action_id"], manage["value"]) == (ids.MANAGE, "finance@acme.example.com")
    assert (remove["action_id"], remove["value"]) == (ids.REMOVE, "finance@acme.example.com")
    assert remove["style"] == "danger"
    assert remove["confirm"]["text"]["text"] == (
        "Remove access for finance@acme.example.com? They lose every permission at once."
    )
    assert remove["confirm"]["confirm"]["text"] == "Remove Access"
    assert remove["confirm"]["deny"]["text"] == "Cancel"


def test_removed_users_are_shown_without_buttons_or_permissions() -> None:
    gone = member("gone@acme.example.com", (), status=MemberStatus.REMOVED)
    view = home([gone, owner()])
    [row] = rows_about(view, "gone@acme.example.com")
    assert "User · _removed_ · no permissions" in row["text"]["text"]
    assert view["blocks"][3]["text"]["text"] == "*Users* (2)"
    assert OWNER_EMAIL in view["blocks"][4]["text"]["text"]  # the owner comes first
    assert not buttons(view, ids.MANAGE) and not buttons(view, ids.REMOVE)


@pytest.mark.parametrize(
    ("keys", "shown"),
    [
        ((), "no permissions"),
        (("domains",), "View Domains"),
        (ALL_KEYS, "All Permissions"),
        (ALL_KEYS[:-1], ", ".join(p.label for p in CATALOGUE[:-1]).replace("&", "&amp;")),
    ],
)
def test_permission_labels_in_rows(keys: tuple[str, ...], shown: str) -> None:
    view = home([member("a@example.com", keys)], [invitation("b@example.com", keys)])
    assert rows_about(view, "a@example.com")[0]["text"]["text"].endswith(shown)
    assert rows_about(view, "b@example.com")[0]["text"]["text"].endswith(shown)


def test_pending_invitation_rows() -> None:
    view = home()
    section, row_actions = rows_about(view, "new@acme.example.com")
    assert section["text"]["text"] == (
        "*new@acme.example.com*\n"
        f"Invited by <@{OWNER}> 3 days ago · expires {date_token(invitation().expires_at)}\n"
        "View Domains"
    )
    resend, revoke = row_actions["elements"]
    assert (resend["action_id"], resend["value"]) == (ids.RESEND, "new@acme.example.com")
    assert (revoke["action_id"], revoke["value"]) == (ids.REVOKE, "new@acme.example.com")
    assert revoke["style"] == "danger" and revoke["confirm"]["confirm"]["text"] == "Revoke"


def test_an_overdue_invitation_says_it_expired() -> None:
    late = invitation()
    late.expires_at = NOW
    view = home(pending=[late])
    assert "· expired <!date^" in rows_about(view, "new@acme.example.com")[0]["text"]["text"]


def test_empty_account() -> None:
    view = owner_home(account(), [], [], [], NOW)
    assert_valid_home(view)
    text = rendered(view)
    assert "No users yet." in text and "No pending invitations." in text
    assert "No contacts yet." in text
    assert action_ids(view) == {ids.OPEN_INVITE}


@pytest.mark.parametrize(
    ("users", "pending", "contacts"), [(500, 500, 500), (500, 0, 0), (3, 500, 2)]
)
def test_huge_accounts_are_capped_with_a_count_of_the_rest(
    users: int, pending: int, contacts: int
) -> None:
    view = owner_home(
        account(), many_members(users), many_invitations(pending), many_contacts(contacts), NOW
    )
    assert_valid_home(view)
    assert len(view["blocks"]) <= 100
    text = rendered(view)
    shown = (
        text.count("@acme.example.com*")  # users, invitees and contacts in bold
        + left_out(view)
    )
    assert shown == users + pending + contacts


def test_small_lists_keep_every_row_when_another_list_is_huge() -> None:
    view = owner_home(account(), many_members(500), many_invitations(2), many_contacts(3), NOW)
    text = rendered(view)
    assert all(f"invitee{i}@" in text for i in range(2))
    assert all(f"contact{i}@" in text for i in range(3))


def test_huge_names_and_emails_stay_valid() -> None:
    hostile_account = account(HUGE + HOSTILE)
    people = [owner(), member(HUGE_EMAIL, ALL_KEYS), member("x@example.com", slack_user_id=None)]
    view = owner_home(
        hostile_account,
        people,
        [invitation(HUGE_EMAIL)],
        [contact(HUGE_EMAIL, HUGE), contact("c@example.com", "")],
        NOW,
    )
    assert_valid_home(view)
    assert all(len(b["value"]) <= 2000 for b in buttons(view) if "value" in b)


def test_person_supplied_text_is_escaped_everywhere() -> None:
    view = owner_home(
        account(HOSTILE),
        [owner(), member()],
        [invitation()],
        [contact("c@example.com", HOSTILE)],
        NOW,
    )
    assert_valid_home(view)
    assert_no_raw_markup(view)
    assert view["blocks"][0]["text"]["text"].startswith("Acme &lt;!channel&gt; &lt;@U123&gt;")
    assert "— Acme &lt;!channel&gt;" in rendered(view)


def test_hostile_emails_are_escaped_when_shown_and_whole_in_button_values() -> None:
    email = "<!channel>@evil.example"
    view = home([member(email)], [invitation(email)])
    assert_no_raw_markup(rendered_mrkdwn(view))
    assert {b["value"] for b in buttons(view) if "value" in b} == {email}


def test_confirmation_dialogs_are_plain_text_showing_the_email_as_it_is() -> None:
    email = "r&d@acme.example.com"
    view = home([member(email)], [invitation(email)])
    dialogs = [b["confirm"]["text"] for b in buttons(view) if "confirm" in b]
    assert [(d["type"], d["text"].split("?")[0]) for d in dialogs] == [
        ("plain_text", f"Remove access for {email}"),
        ("plain_text", f"Revoke the invitation for {email}"),
    ]


def test_user_home_lists_their_permissions_in_catalogue_order() -> None:
    view = user_home(account(), member(permissions=("quotes", "invoices")))
    assert_valid_home(view)
    text = rendered(view)
    assert text.index("View &amp; Pay Invoices") < text.index("View &amp; Accept Quotes")
    assert "view and payment access to invoices" in text
    assert "Domains" not in text
    assert f"<@{OWNER}>" in text
    assert not action_ids(view)


@pytest.mark.parametrize("keys", [(), ("orders",), ALL_KEYS])
def test_user_home_with_0_1_or_13_permissions(keys: tuple[str, ...]) -> None:
    view = user_home(account(HOSTILE + HUGE), member(permissions=keys))
    assert_valid_home(view)
    assert_no_raw_markup(view)
    assert rendered(view).count("• *") == len(keys)


def test_user_home_after_removal() -> None:
    view = user_home(account(), member(permissions=(), status=MemberStatus.REMOVED))
    assert_valid_home(view)
    assert "was removed" in rendered(view)


def test_outsider_home_without_an_account_explains_setup() -> None:
    view = outsider_home(None)
    assert_valid_home(view)
    assert "`/billing-invite setup NAME`" in rendered(view)


def test_outsider_home_names_the_owner() -> None:
    view = outsider_home(account(HOSTILE))
    assert_valid_home(view)
    assert_no_raw_markup(view)
    assert f"is owned by <@{OWNER}>" in rendered(view)
