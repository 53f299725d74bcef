"""The modals (invite, manage permissions, add contact, settings) and parsers of what they
submit.

The 13 permissions are two groups of checkboxes, not one multi_static_select: Slack allows
at most 10 options per checkboxes element, and checkboxes show every permission with its
description at a glance, ticked or not, as the billing system itself does. The groups are
the blocks ``PERMISSIONS_BLOCK`` (first 7) and ``PERMISSIONS_MORE_BLOCK`` (last 6), both
with the action ``PERMISSIONS_INPUT`` and both optional (an empty choice is the core's to
refuse); the parsers merge them. Errors about the permissions belong on
``PERMISSIONS_BLOCK``.
"""

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Final

from bot.blocks import ids
from bot.blocks.kit import (
    MODAL_TITLE,
    VIEW_BLOCKS,
    Block,
    Message,
    context,
    input_block,
    modal,
    notice,
    option,
    plain,
    section,
)
from bot.blocks.state import conversation, selected_value, selected_values, text_value
from bot.blocks.text import shown_email, truncate
from bot.core import Timings
from bot.core.contact_emails import EMAIL_KINDS
from bot.core.contacts import MAX_CONTACT_NAME
from bot.core.permissions import ALL_KEYS, CATALOGUE, Permission
from bot.durations import format_duration

# The longest address RFC 5321 lets through.
EMAIL_LENGTH: Final = 320
EMAILS_HINT: Final = "One or several addresses, separated by commas or spaces"
DURATION_HINT: Final = "e.g. 90s, 15m, 24h, 7d"
INPUT_LENGTH: Final = 3000
DURATION_LENGTH: Final = 40
# Slack documents no maximum for these messages; they are shown under a field, so short.
ERROR_TEXT: Final = 300

_HALF = (len(CATALOGUE) + 1) // 2
_GROUPS: Final = (
    (ids.PERMISSIONS_BLOCK, "Permissions", CATALOGUE[:_HALF]),
    (ids.PERMISSIONS_MORE_BLOCK, "More permissions", CATALOGUE[_HALF:]),
)


@dataclass(frozen=True)
class InviteForm:
    emails_text: str
    grant_all: bool
    permissions: tuple[str, ...]

    @property
    def granted(self) -> tuple[str, ...]:
        """What the invitation would grant: all 13 for All Permissions, else those ticked."""
        return ALL_KEYS if self.grant_all else self.permissions


@dataclass(frozen=True)
class ContactForm:
    """A new contact as typed; the caller checks the email."""

    name: str
    email: str
    email_kinds: tuple[str, ...]


@dataclass(frozen=True)
class SettingsForm:
    """The settings as typed; the caller parses the durations."""

    channel_id: str
    first: str
    repeat: str
    expiry: str


def invite_modal(prefill: Sequence[str] = ()) -> Block:
    """Invite New User: emails, All or Choose Permissions, and the 13 permissions."""
    emails: Block = {
        "type": "plain_text_input",
        "action_id": ids.EMAILS_INPUT,
        "multiline": True,
        "placeholder": plain("name@example.com"),
    }
    initial = _prefill(prefill)
    if initial:
        emails["initial_value"] = initial
    everything = option(
        "All Permissions", ids.GRANT_ALL, f"Every one of the {len(CATALOGUE)} permissions"
    )
    grant: Block = {
        "type": "radio_buttons",
        "action_id": ids.GRANT_INPUT,
        "options": [
            everything,
            option("Choose Permissions", ids.GRANT_CHOOSE, "Only those ticked below"),
        ],
        "initial_option": everything,
    }
    blocks = [
        input_block(ids.EMAILS_BLOCK, "Email addresses", emails, hint=EMAILS_HINT),
        input_block(ids.GRANT_BLOCK, "Access", grant),
        *_permission_blocks(hint="Used with Choose Permissions."),
    ]
    return modal(ids.INVITE_MODAL, "Invite New User", blocks, submit="Send Invitation")


def parse_invite(values: Mapping[str, Any]) -> InviteForm:
    return InviteForm(
        emails_text=text_value(values, ids.EMAILS_BLOCK, ids.EMAILS_INPUT),
        grant_all=selected_value(values, ids.GRANT_BLOCK, ids.GRANT_INPUT) == ids.GRANT_ALL,
        permissions=parse_permissions(values),
    )


def permissions_modal(email: str, current: Sequence[str]) -> Block:
    """Manage Permissions for one user, their current permissions ticked."""
    blocks = [
        section(f"Choose what *{shown_email(email)}* may do. Saving sets exactly what is ticked."),
        *_permission_blocks(current),
        context("To take all access away at once, use *Remove Access* instead."),
    ]
    return modal(
        ids.PERMISSIONS_MODAL,
        "Manage Permissions",
        blocks,
        submit="Save",
        private_metadata=email,
    )


def parse_permissions(values: Mapping[str, Any]) -> tuple[str, ...]:
    """The ticked keys of both groups: known ones in catalogue order, any others after."""
    chosen = dict.fromkeys(
        key
        for block_id, _, _ in _GROUPS
        for key in selected_values(values, block_id, ids.PERMISSIONS_INPUT)
    )
    known = tuple(key for key in ALL_KEYS if key in chosen)
    return known + tuple(key for key in chosen if key not in known)


def contact_modal() -> Block:
    """Add Contact: name, email, and which of the six kinds of email they get (all ticked)."""
    name: Block = {
        "type": "plain_text_input",
        "action_id": ids.CONTACT_NAME_INPUT,
        "max_length": MAX_CONTACT_NAME,
    }
    email: Block = {
        "type": "plain_text_input",
        "action_id": ids.CONTACT_EMAIL_INPUT,
        "placeholder": plain("name@example.com"),
        "max_length": EMAIL_LENGTH,
    }
    options = [option(kind.label, kind.key, kind.description) for kind in EMAIL_KINDS]
    kinds: Block = {
        "type": "checkboxes",
        "action_id": ids.CONTACT_KINDS_INPUT,
        "options": options,
        "initial_options": options,
    }
    blocks = [
        input_block(ids.CONTACT_NAME_BLOCK, "Name", name, optional=True),
        input_block(ids.CONTACT_EMAIL_BLOCK, "Email address", email),
        input_block(
            ids.CONTACT_KINDS_BLOCK,
            "Emails they get",
            kinds,
            hint="A contact needs no access to the account to get these.",
            optional=True,
        ),
    ]
    return modal(ids.CONTACT_MODAL, "Add Contact", blocks, submit="Add Contact")


def parse_contact(values: Mapping[str, Any]) -> ContactForm:
    return ContactForm(
        name=text_value(values, ids.CONTACT_NAME_BLOCK, ids.CONTACT_NAME_INPUT),
        email=text_value(values, ids.CONTACT_EMAIL_BLOCK, ids.CONTACT_EMAIL_INPUT),
        email_kinds=tuple(
            selected_values(values, ids.CONTACT_KINDS_BLOCK, ids.CONTACT_KINDS_INPUT)
        ),
    )


def settings_modal(channel_id: str, timings: Timings) -> Block:
    """Billing Settings: the reminders channel, reminder timing and invitation lifetime."""
    channel: Block = {
        "type": "conversations_select",
        "action_id": ids.CHANNEL_INPUT,
        "placeholder": plain("Choose a channel"),
        "default_to_current_conversation": False,
        "filter": {"include": ["public", "private"]},
    }
    if channel_id:
        channel["initial_conversation"] = channel_id
    blocks = [
        input_block(
            ids.CHANNEL_BLOCK,
            "Reminders channel",
            channel,
            hint="Reminders about pending invitations are posted here. "
            "Add me to a private channel before choosing it.",
        ),
        _duration(
            ids.FIRST_BLOCK, ids.FIRST_INPUT, "First reminder after", timings.reminder_first_after
        ),
        _duration(
            ids.REPEAT_BLOCK, ids.REPEAT_INPUT, "Then remind every", timings.reminder_repeat_every
        ),
        _duration(
            ids.EXPIRY_BLOCK,
            ids.EXPIRY_INPUT,
            "Invitations expire after",
            timings.invite_expires_after,
        ),
    ]
    return modal(ids.SETTINGS_MODAL, "Billing Settings", blocks, submit="Save")


def parse_settings(values: Mapping[str, Any]) -> SettingsForm:
    return SettingsForm(
        channel_id=conversation(values, ids.CHANNEL_BLOCK, ids.CHANNEL_INPUT),
        first=text_value(values, ids.FIRST_BLOCK, ids.FIRST_INPUT),
        repeat=text_value(values, ids.REPEAT_BLOCK, ids.REPEAT_INPUT),
        expiry=text_value(values, ids.EXPIRY_BLOCK, ids.EXPIRY_INPUT),
    )


def message_modal(title: str, shown: Message) -> Block:
    """A modal that only shows ``shown`` (an outcome or a refusal), closed with Close."""
    return {
        "type": "modal",
        "callback_id": ids.NOTICE_MODAL,
        "title": plain(title, MODAL_TITLE),
        "close": plain("Close", MODAL_TITLE),
        "blocks": shown.blocks[:VIEW_BLOCKS],
    }


def notice_modal(text: str) -> Block:
    """A modal with one section of ``text`` (safe mrkdwn: the caller escaped what people typed)."""
    return message_modal("Billing Access", notice(text))


def field_errors(**by_block: str) -> dict[str, Any]:
    """The ``view_submission`` answer that keeps the modal open with these errors shown."""
    errors = {block_id: truncate(message, ERROR_TEXT) for block_id, message in by_block.items()}
    return {"response_action": "errors", "errors": errors}


def _permission_blocks(current: Collection[str] = (), *, hint: str = "") -> list[Block]:
    return [
        _permission_group(block_id, label, group, current, "" if index else hint)
        for index, (block_id, label, group) in enumerate(_GROUPS)
    ]


def _permission_group(
    block_id: str,
    label: str,
    group: Sequence[Permission],
    current: Collection[str],
    hint: str,
) -> Block:
    options = [option(p.label, p.key, p.description) for p in group]
    element: Block = {"type": "checkboxes", "action_id": ids.PERMISSIONS_INPUT, "options": options}
    ticked = [o for o, p in zip(options, group, strict=True) if p.key in current]
    if ticked:  # Slack refuses an empty initial_options
        element["initial_options"] = ticked
    return input_block(block_id, label, element, hint=hint, optional=True)


def _duration(block_id: str, action_id: str, label: str, value: timedelta) -> Block:
    element: Block = {
        "type": "plain_text_input",
        "action_id": action_id,
        "initial_value": format_duration(value),
        "max_length": DURATION_LENGTH,
    }
    return input_block(block_id, label, element, hint=DURATION_HINT)


def _prefill(emails: Sequence[str]) -> str:
    """The emails joined by ", ", as many whole ones as fit in the input."""
    joined = ""
    for email in emails:
        candidate = f"{joined}, {email}" if joined else email
        if len(candidate) > INPUT_LENGTH:
            break
        joined = candidate
    return joined
