"""Block Kit objects as plain dicts, each cut to Slack's documented limits.

Every text passed in here must already be safe: mrkdwn escaped with ``text.escape`` (except
the bot's own mentions and date tokens), plain text free of anything a person typed unless
escaped too, but for a confirmation dialog's text (see ``confirm``). Lengths are enforced
here so no builder can produce an invalid payload.
Limits: https://docs.slack.dev/reference/block-kit/ (blocks, elements, composition objects).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

from bot.blocks.text import truncate

Block = dict[str, Any]
Style = Literal["primary", "danger"]

SECTION_TEXT: Final = 3000
HEADER_TEXT: Final = 150
BUTTON_TEXT: Final = 75
BUTTON_VALUE: Final = 2000
OPTION_TEXT: Final = 75
OPTION_DESCRIPTION: Final = 75
CONFIRM_TITLE: Final = 100
CONFIRM_TEXT: Final = 300
CONFIRM_BUTTON: Final = 30
LABEL: Final = 2000
HINT: Final = 2000
MODAL_TITLE: Final = 24
PRIVATE_METADATA: Final = 3000
CONTEXT_ELEMENTS: Final = 10
MESSAGE_BLOCKS: Final = 50
# Slack truncates at 40,000; a notification needs far less.
FALLBACK_TEXT: Final = 3000
VIEW_BLOCKS: Final = 100


def plain(text: str, limit: int = SECTION_TEXT) -> dict[str, Any]:
    return {"type": "plain_text", "text": truncate(text, limit), "emoji": True}


def mrkdwn(text: str, limit: int = SECTION_TEXT) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": truncate(text, limit)}


def header(text: str) -> Block:
    return {"type": "header", "text": plain(text, HEADER_TEXT)}


def section(text: str, accessory: Block | None = None) -> Block:
    block: Block = {"type": "section", "text": mrkdwn(text)}
    if accessory is not None:
        block["accessory"] = accessory
    return block


def context(*texts: str) -> Block:
    return {"type": "context", "elements": [mrkdwn(t) for t in texts[:CONTEXT_ELEMENTS]]}


def divider() -> Block:
    return {"type": "divider"}


def actions(*elements: Block) -> Block:
    return {"type": "actions", "elements": list(elements)}


def confirm(title: str, text: str, yes: str, no: str = "Cancel") -> dict[str, Any]:
    """A confirmation dialog for a dangerous button. ``text`` is plain text, as Slack's
    reference requires: shown as it is, so not escaped."""
    return {
        "title": plain(title, CONFIRM_TITLE),
        "text": plain(text, CONFIRM_TEXT),
        "confirm": plain(yes, CONFIRM_BUTTON),
        "deny": plain(no, CONFIRM_BUTTON),
        "style": "danger",
    }


def button(
    label: str,
    action_id: str,
    value: str | None = None,
    *,
    style: Style | None = None,
    confirmation: dict[str, Any] | None = None,
) -> Block:
    """A button; ``value`` names only its target (an email or an invitation id)."""
    element: Block = {"type": "button", "text": plain(label, BUTTON_TEXT), "action_id": action_id}
    if value:
        # An identifier is never shortened with "…": clipped, it could only fail to match.
        element["value"] = value[:BUTTON_VALUE]
    if style is not None:
        element["style"] = style
    if confirmation is not None:
        element["confirm"] = confirmation
    return element


def option(text: str, value: str, description: str = "") -> dict[str, Any]:
    result: dict[str, Any] = {"text": plain(text, OPTION_TEXT), "value": value}
    if description:
        result["description"] = plain(description, OPTION_DESCRIPTION)
    return result


def input_block(
    block_id: str,
    label: str,
    element: Block,
    *,
    hint: str = "",
    optional: bool = False,
) -> Block:
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "label": plain(label, LABEL),
        "element": element,
        "optional": optional,
    }
    if hint:
        block["hint"] = plain(hint, HINT)
    return block


def modal(
    callback_id: str,
    title: str,
    blocks: Sequence[Block],
    *,
    submit: str,
    private_metadata: str = "",
) -> Block:
    view: Block = {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain(title, MODAL_TITLE),
        "submit": plain(submit, MODAL_TITLE),
        "close": plain("Cancel", MODAL_TITLE),
        "blocks": list(blocks)[:VIEW_BLOCKS],
    }
    if private_metadata:
        view["private_metadata"] = private_metadata[:PRIVATE_METADATA]
    return view


@dataclass(frozen=True)
class Message:
    """A message: ``text`` is the notification fallback, ``blocks`` what Slack shows."""

    text: str
    blocks: list[Block]


def notice(text: str) -> Message:
    """One section of ``text``, which the caller made safe mrkdwn (escaped what people typed)."""
    return message(text, [section(text)])


def message(text: str, blocks: Sequence[Block]) -> Message:
    """A message whose fallback and blocks are cut to Slack's limits."""
    return Message(truncate(text, FALLBACK_TEXT), list(blocks)[:MESSAGE_BLOCKS])
