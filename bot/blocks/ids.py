"""Every callback_id, block_id and action_id the bot's views and messages use.

Handlers match on these constants and read ``view.state.values`` through the parsers in
``bot.blocks.modals``; nothing else should spell these strings.
"""

from typing import Final

# Modals (callback_id).
INVITE_MODAL: Final = "invite_modal"
PERMISSIONS_MODAL: Final = "permissions_modal"
SETTINGS_MODAL: Final = "settings_modal"
CONTACT_MODAL: Final = "contact_modal"
NOTICE_MODAL: Final = "notice_modal"

# Buttons (action_id). Values carry only the target: an email, or an invitation id.
ACCEPT: Final = "invitation_accept"
DECLINE: Final = "invitation_decline"
OPEN_INVITE: Final = "open_invite_modal"
MANAGE: Final = "manage_permissions"
REMOVE: Final = "remove_access"
RESEND: Final = "invitation_resend"
REVOKE: Final = "invitation_revoke"

# Invite New User modal (block_id / action_id).
EMAILS_BLOCK: Final = "emails"
EMAILS_INPUT: Final = "emails_input"
GRANT_BLOCK: Final = "grant"
GRANT_INPUT: Final = "grant_mode"
GRANT_ALL: Final = "all"
GRANT_CHOOSE: Final = "choose"

# The 13 permissions, in the invite and the Manage Permissions modals. A checkboxes element
# holds at most 10 options, so they are two groups: the first 7 and the last 6.
PERMISSIONS_BLOCK: Final = "permissions"
PERMISSIONS_MORE_BLOCK: Final = PERMISSIONS_BLOCK + "_more"
PERMISSIONS_INPUT: Final = "permissions_input"

# Add Contact modal.
CONTACT_NAME_BLOCK: Final = "contact_name"
CONTACT_NAME_INPUT: Final = "contact_name_input"
CONTACT_EMAIL_BLOCK: Final = "contact_email"
CONTACT_EMAIL_INPUT: Final = "contact_email_input"
CONTACT_KINDS_BLOCK: Final = "contact_email_kinds"
CONTACT_KINDS_INPUT: Final = "contact_email_kinds_input"

# Settings modal.
CHANNEL_BLOCK: Final = "channel"
CHANNEL_INPUT: Final = "channel_input"
FIRST_BLOCK: Final = "first_reminder"
FIRST_INPUT: Final = "first_reminder_input"
REPEAT_BLOCK: Final = "repeat_reminder"
REPEAT_INPUT: Final = "repeat_reminder_input"
EXPIRY_BLOCK: Final = "expiry"
EXPIRY_INPUT: Final = "expiry_input"
