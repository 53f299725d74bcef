"""Reading ``view.state.values`` without trusting its shape.

Slack sends ``{block_id: {action_id: {"type": ..., "value" | "selected_option" |
"selected_options" | "selected_conversation": ...}}}``; a field left empty comes back as
``None`` or not at all. Every reader here answers with an empty value instead of raising.
"""

from collections.abc import Mapping
from typing import Any


def text_value(values: Mapping[str, Any], block_id: str, action_id: str) -> str:
    """What was typed in a plain_text_input ("" when empty)."""
    return _string(_state(values, block_id, action_id).get("value"))


def selected_value(values: Mapping[str, Any], block_id: str, action_id: str) -> str:
    """The value of the chosen option of radio buttons or a static select ("" when none)."""
    return _option_value(_state(values, block_id, action_id).get("selected_option"))


def selected_values(values: Mapping[str, Any], block_id: str, action_id: str) -> list[str]:
    """The values of the ticked checkboxes or the options chosen in a multi-select."""
    chosen = _state(values, block_id, action_id).get("selected_options")
    if not isinstance(chosen, list):
        return []
    return [value for value in map(_option_value, chosen) if value]


def conversation(values: Mapping[str, Any], block_id: str, action_id: str) -> str:
    """The conversation id chosen in a conversations_select ("" when none)."""
    return _string(_state(values, block_id, action_id).get("selected_conversation"))


def _state(values: object, block_id: str, action_id: str) -> Mapping[str, Any]:
    block = values.get(block_id) if isinstance(values, Mapping) else None
    state = block.get(action_id) if isinstance(block, Mapping) else None
    return state if isinstance(state, Mapping) else {}


def _option_value(option: object) -> str:
    return _string(option.get("value")) if isinstance(option, Mapping) else ""


def _string(value: object) -> str:
    return value if isinstance(value, str) else ""
