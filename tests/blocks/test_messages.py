"""Invitation DMs, notices and command replies."""

import re
from datetime import timedelta

import pytest

from bot.blocks import ids
from bot.blocks.messages import (
    Message,
    access_removed,
    audit_list,
    contact_added,
    contacts_list,
    expiry_notice,
    invitation_closed_dm,
    invitation_dm,
    invitation_resent,
    invitation_revoked,
    invite_outcome,
    member_permissions_notice,
    member_removed_notice,
    notice,
    owner_outcome_notice,
    pending_list,
    reminder_digest,
    remove_confirmation,
    usage,
    user_table,
)
from bot.blocks.text import ALL_PERMISSIONS, date_token, escape, permission_summary
from bot.core.invitations import InviteResult
from bot.core.permissions import ALL_KEYS, labels
from storage.tables import InvitationStatus
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
    buttons,
    contact,
    event,
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

CLOSED = [s for s in InvitationStatus if s != InvitationStatus.PENDING]


def checked(message: Message) -> Message:
    assert_valid(message)
    assert_no_raw_markup(message.blocks)
    assert_no_raw_markup(message.text)
    return message


# --- Invitation DMs ---------------------------------------------------------------------------


def test_invitation_dm_says_who_invited_to_what_with_which_permissions() -> None:
    message = checked(invitation_dm(account(), invitation(permissions=("quotes", "invoices"))))
    assert message.text == f"<@{OWNER}> invited you to the billing account *Acme Ltd*."
    text = rendered(message.blocks)
    assert "*It grants:*\n• View &amp; Pay Invoices\n• View &amp; Accept Quotes" in text
    assert f"expires {date_token(invitation().expires_at)}" in text
    accept, decline = buttons(message.blocks)
    assert (accept["action_id"], accept["value"], accept["style"]) == (ids.ACCEPT, "7", "primary")
    assert (decline["action_id"], decline["value"]) == (ids.DECLINE, "7")


@pytest.mark.parametrize("keys", [(), ("orders",), ALL_KEYS])
def test_invitation_dm_with_0_1_or_13_permissions(keys: tuple[str, ...]) -> None:
    text = rendered(checked(invitation_dm(account(HOSTILE), invitation(permissions=keys))).blocks)
    assert text.count("\n• ") == max(len(keys), 1)
    assert ("*It grants All Permissions:*" in text) == (keys == ALL_KEYS)


def test_an_unsaved_invitation_cannot_be_sent() -> None:
    with pytest.raises(ValueError, match="stored"):
        invitation_dm(account(), invitation(id=None))


@pytest.mark.parametrize(
    ("status", "says"),
    [
        (InvitationStatus.ACCEPTED, "You accepted the invitation to *Acme Ltd*; you now have: "),
        (InvitationStatus.DECLINED, "You declined the invitation to *Acme Ltd*."),
        (InvitationStatus.REVOKED, "This invitation to *Acme Ltd* was revoked."),
        (InvitationStatus.EXPIRED, "This invitation to *Acme Ltd* expired."),
        (InvitationStatus.PENDING, "This invitation to *Acme Ltd* is still open."),
    ],
)
def test_closed_dm_states_the_outcome_without_buttons(status: InvitationStatus, says: str) -> None:
    message = checked(invitation_closed_dm(account(), invitation(status=status)))
    assert message.text.startswith(says)
    assert says in rendered(message.blocks)
    assert "View Domains" in rendered(message.blocks)
    assert not action_ids(message.blocks)


def test_accepted_dm_lists_what_they_now_have() -> None:
    accepted = invitation(permissions=ALL_KEYS, status=InvitationStatus.ACCEPTED)
    assert checked(invitation_closed_dm(account(), accepted)).text.endswith(
        "you now have: All Permissions."
    )


@pytest.mark.parametrize("status", list(InvitationStatus))
def test_closed_dm_and_owner_notice_escape_hostile_names(status: InvitationStatus) -> None:
    closed = invitation(HUGE_EMAIL, ALL_KEYS, status=status, invitee_user_id="U9")
    checked(invitation_closed_dm(account(HOSTILE + HUGE), closed))
    checked(owner_outcome_notice(account(HOSTILE + HUGE), closed))


# --- Notices ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "text"),
    [
        (
            InvitationStatus.ACCEPTED,
            "new@acme.example.com (<@U9>) accepted your invitation to *Acme Ltd*. "
            "They now have: View Domains.",
        ),
        (
            InvitationStatus.DECLINED,
            "new@acme.example.com (<@U9>) declined your invitation to *Acme Ltd*.",
        ),
    ],
)
def test_owner_outcome_notice(status: InvitationStatus, text: str) -> None:
    message = checked(
        owner_outcome_notice(account(), invitation(status=status, invitee_user_id="U9"))
    )
    assert message.text == text
    assert rendered(message.blocks) == text


def test_owner_notice_without_an_invitee_id() -> None:
    message = checked(owner_outcome_notice(account(), invitation(status=InvitationStatus.EXPIRED)))
    assert (
        message.text == "The invitation of new@acme.example.com to *Acme Ltd* expired unanswered."
    )


def test_permissions_notice_says_what_was_added_and_taken() -> None:
    message = checked(
        member_permissions_notice(
            account(), "a@example.com", ("invoices", "quotes"), ("orders", "invoices")
        )
    )
    assert rendered(message.blocks) == (
        "Your permissions on *Acme Ltd* (a@example.com) were changed.\n"
        "*Now:* View &amp; Pay Invoices, Place New Orders/Upgrades/Cancellations\n"
        "*Added:* Place New Orders/Upgrades/Cancellations\n"
        "*Removed:* View &amp; Accept Quotes"
    )


@pytest.mark.parametrize(
    ("before", "after"), [((), ALL_KEYS), (ALL_KEYS, ()), (ALL_KEYS, ALL_KEYS)]
)
def test_permissions_notice_extremes(before: tuple[str, ...], after: tuple[str, ...]) -> None:
    message = checked(member_permissions_notice(account(HOSTILE + HUGE), HUGE_EMAIL, before, after))
    text = rendered(message.blocks)
    assert ("*Added:*" in text) == bool(after and not before)
    assert ("*Removed:*" in text) == bool(before and not after)


def test_removed_notice() -> None:
    message = checked(member_removed_notice(account(HOSTILE)))
    assert "was removed" in message.text and f"<@{OWNER}>" in message.text


@pytest.mark.parametrize("email", ["ana@example.com", HOSTILE, HUGE_EMAIL])
def test_confirmations_of_resend_revoke_and_removal(email: str) -> None:
    pending = invitation(email=email)
    assert "was sent again" in checked(invitation_resent(pending)).text
    assert "was revoked" in checked(invitation_revoked(pending)).text
    assert "no longer has access to" in checked(access_removed(account(HOSTILE), email)).text


def test_notice_is_one_section_of_the_callers_text() -> None:
    message = checked(notice("Sorry, only the owner of *Acme* can do that."))
    assert message.text == "Sorry, only the owner of *Acme* can do that."
    assert [b["type"] for b in message.blocks] == ["section"]
    assert checked(notice("x" * 50_000)).blocks[0]["text"]["text"].endswith("…")


def test_remove_confirmation_asks_before_removing() -> None:
    message = checked(remove_confirmation("finance@acme.example.com"))
    [remove] = buttons(message.blocks)
    assert (remove["action_id"], remove["value"]) == (ids.REMOVE, "finance@acme.example.com")
    assert remove["style"] == "danger" and "confirm" in remove
    checked(remove_confirmation(HUGE_EMAIL))
    hostile = remove_confirmation("<!channel>@x.example")
    assert_no_raw_markup(rendered_mrkdwn(hostile.blocks))


# --- Usage ------------------------------------------------------------------------------------


def test_usage_lists_the_whole_grammar() -> None:
    text = rendered(checked(usage()).blocks)
    for form in (
        "`/billing-invite`",
        "`/billing-invite EMAIL [EMAIL …]`",
        "`/billing-invite list`",
        "`/billing-invite pending`",
        "`/billing-invite permissions EMAIL`",
        "`/billing-invite remove EMAIL`",
        "`/billing-invite resend EMAIL`",
        "`/billing-invite revoke EMAIL`",
        "`/billing-invite contacts`",
        "`/billing-invite contact add [EMAIL [NAME]]`",
        "`/billing-invite contact remove EMAIL`",
        "`/billing-invite setup NAME`",
        "`/billing-invite settings`",
        "`/billing-invite audit`",
        "`/billing-invite connect CLIENT_ID`",
        "`/billing-invite connect CLIENT_ID CODE`",
        "`/billing-invite disconnect`",
        "`/billing-invite help`",
    ):
        assert form in text
    assert "understand" not in text


def test_usage_first_says_what_was_not_understood() -> None:
    message = checked(usage("frobnicate <!channel>\n now"))
    assert message.text == "I didn't understand “frobnicate &lt;!channel&gt; now”."
    assert rendered(message.blocks).startswith(message.text + "\n\n*How to use*")
    long = checked(usage(HUGE + "<@U123>"))
    assert re.match(r"I didn't understand “Ω{99}…”\.", long.text)


@pytest.mark.parametrize(
    ("typed", "form"),
    [
        ("connect abc", "`/billing-invite connect CLIENT_ID`"),
        ("DISCONNECT now", "`/billing-invite disconnect`"),
        ("remove a@example.com b@example.com", "`/billing-invite remove EMAIL`"),
        ("contact delete a@example.com", "`/billing-invite contact remove EMAIL`"),
    ],
)
def test_usage_shows_first_how_the_command_typed_is_used(typed: str, form: str) -> None:
    text = rendered(checked(usage(typed)).blocks)
    note = text.split("\n\n*How to use*")[0]
    assert note.startswith(f"I didn't understand “{typed}”.\nIt is used as: ")
    assert form in note


def test_the_connect_usage_says_what_client_id_and_code_are() -> None:
    note = rendered(usage("connect 12 12345").blocks).split("\n\n*How to use*")[0]
    assert "by its number" in note and "6 to 8 digits" in note


# --- Lists ------------------------------------------------------------------------------------


def test_user_table_has_the_rows_of_the_home_tab() -> None:
    message = checked(user_table(account(), [owner(), member()], [invitation()], NOW))
    assert message.text == "Users of Acme Ltd"
    assert {ids.MANAGE, ids.REMOVE, ids.RESEND, ids.REVOKE} == action_ids(message.blocks)
    assert "Invited by <@U0OWNER> 3 days ago" in rendered(message.blocks)


@pytest.mark.parametrize(("users", "pending"), [(0, 0), (1, 0), (500, 500), (500, 0), (2, 500)])
def test_user_table_is_capped_at_50_blocks(users: int, pending: int) -> None:
    message = checked(
        user_table(account(), many_members(users)[:users], many_invitations(pending), NOW)
    )
    text = rendered(message.blocks)
    assert text.count("@acme.example.com*") + left_out(message.blocks) == users + pending


def test_pending_list() -> None:
    message = checked(pending_list(account(HOSTILE), [invitation()], NOW))
    assert action_ids(message.blocks) == {ids.RESEND, ids.REVOKE}
    empty = checked(pending_list(account(), [], NOW))
    assert "No pending invitations." in rendered(empty.blocks)
    many = checked(pending_list(account(), many_invitations(500), NOW))
    assert rendered(many.blocks).count("@acme.example.com*") + left_out(many.blocks) == 500


@pytest.mark.parametrize("keys", [("invoices", "quotes"), ("emails",), ALL_KEYS])
def test_the_channel_is_not_told_what_pending_invitations_would_grant(
    keys: tuple[str, ...],
) -> None:
    pending = [invitation(permissions=keys), invitation("second@acme.example.com", keys, id=8)]
    grants = [*keys, *map(escape, labels(keys)), ALL_PERMISSIONS]
    for posted in (
        reminder_digest(account(), pending, NOW),
        expiry_notice(account(), pending, NOW),
    ):
        shown = f"{checked(posted).text}\n{rendered(posted.blocks)}"
        assert "new@acme.example.com" in shown and f"<@{OWNER}>" in shown
        assert [grant for grant in grants if grant in shown] == []
    owners_list = rendered(pending_list(account(), pending, NOW).blocks)
    assert escape(permission_summary(keys)) in owners_list


def test_contacts_list_shows_which_emails_each_contact_gets() -> None:
    contacts = [
        contact("all@example.com"),
        contact("some@example.com", email_kinds=["support", "invoice"]),
        contact("none@example.com", email_kinds=[]),
    ]
    text = rendered(checked(contacts_list(account(), contacts)).blocks)
    assert "*all@example.com* — Accounts Payable\nAll emails" in text
    assert "*some@example.com* — Accounts Payable\nInvoice, Support emails" in text
    assert "*none@example.com* — Accounts Payable\nNo emails" in text


def test_a_new_contact_is_told_with_the_emails_they_get() -> None:
    message = checked(contact_added(contact(email_kinds=["invoice"])))
    assert message.text == "accounts@acme.example.com is now a contact. They get: Invoice emails."
    checked(contact_added(contact(HUGE_EMAIL)))


def test_contacts_list() -> None:
    message = checked(contacts_list(account(), [contact(), contact("b@example.com", "")]))
    text = rendered(message.blocks)
    assert "*accounts@acme.example.com* — Accounts Payable" in text
    assert "*b@example.com*" in text
    assert "No contacts yet" in rendered(checked(contacts_list(account(), [])).blocks)
    many = checked(contacts_list(account(HUGE), many_contacts(500)))
    assert rendered(many.blocks).count("@acme.example.com*") + left_out(many.blocks) == 500
    checked(contacts_list(account(HOSTILE), [contact(HUGE_EMAIL, HOSTILE + HUGE)]))


def test_audit_list_shows_when_who_what_whom_and_permissions() -> None:
    events = [
        event(),
        event("invitation.expired", actor="system", target="x@example.com", after=None),
        event("settings.changed", target="", before=None, after=None, detail="first=60s"),
    ]
    message = checked(audit_list(account(), events))
    first, expired, settings = (b["text"]["text"] for b in message.blocks[3:6])
    when = date_token(NOW.replace(hour=7))
    assert first == (
        f"{when} · <@{OWNER}> · *Permissions changed* · finance@acme.example.com\n"
        "View &amp; Pay Invoices → View &amp; Pay Invoices, View &amp; Accept Quotes"
    )
    assert (
        expired
        == f"{when} · system · *Invitation expired* · x@example.com\nView &amp; Pay Invoices → —"
    )
    assert settings == f"{when} · <@{OWNER}> · *Settings changed*\nfirst=60s"


def test_audit_list_extremes() -> None:
    assert "Nothing has been recorded yet." in rendered(checked(audit_list(account(), [])).blocks)
    hostile = [event(target=HUGE_EMAIL, detail=HOSTILE + HUGE, action=HOSTILE, after=ALL_KEYS)]
    checked(audit_list(account(HOSTILE), hostile * 3))
    many = checked(audit_list(account(), [event()] * 500))
    assert left_out(many.blocks) == 500 - rendered(many.blocks).count("*Permissions changed*")


# --- Invite outcome ---------------------------------------------------------------------------


def test_invite_outcome_reports_each_email() -> None:
    result = InviteResult(
        account(),
        invited=[invitation("a@example.com", ALL_KEYS), invitation("b@example.com", ALL_KEYS)],
        already_member=["c@example.com"],
        already_pending=[invitation("d@example.com")],
    )
    message = checked(invite_outcome(result))
    assert message.text == "2 invited; 1 already have access; 1 already invited"
    text = rendered(message.blocks)
    assert "*Invited to Acme Ltd* with All Permissions:\n• a@example.com\n• b@example.com" in text
    assert "use Manage Permissions" in text
    [manage] = buttons(message.blocks, ids.MANAGE)
    assert manage["value"] == "c@example.com"
    [resend] = buttons(message.blocks, ids.RESEND)
    assert resend["value"] == "d@example.com"


@pytest.mark.parametrize("count", [0, 1, 50, 500])
def test_invite_outcome_of_any_size(count: int) -> None:
    people = [f"p{i}@acme.example.com" for i in range(count)]
    result = InviteResult(
        account(HOSTILE + HUGE),
        invited=[invitation(p) for p in people],
        already_member=people,
        already_pending=[invitation(p) for p in people],
    )
    message = checked(invite_outcome(result))
    if count == 0:
        assert message.text == "Nobody was invited."
    shown = rendered(message.blocks).count("@acme.example.com")
    assert shown + left_out(message.blocks) == 3 * count


def test_invite_outcome_of_huge_emails() -> None:
    result = InviteResult(
        account(),
        invited=[invitation(HUGE_EMAIL)],
        already_member=[HUGE_EMAIL],
        already_pending=[invitation(HUGE_EMAIL)],
    )
    checked(invite_outcome(result))


def test_reminders_and_the_pending_list_say_which_invitations_were_emailed() -> None:
    emailed = invitation("outside@example.org", id=8)
    emailed.emailed_at = NOW - timedelta(days=1)
    pending = [invitation(), emailed]
    for posted in (reminder_digest(account(), pending, NOW), pending_list(account(), pending, NOW)):
        rows = rendered_mrkdwn(checked(posted).blocks).split("\n*")
        [outside] = [row for row in rows if row.startswith("outside@example.org")]
        [inside] = [row for row in rows if row.startswith("new@acme.example.com")]
        assert "· emailed" in outside
        assert "emailed" not in inside
