"""Check Block Kit payloads against Slack's documented limits.

slack-sdk's model classes validate some lengths, but not all of them. Among what they skip:
option counts for checkboxes or radio buttons, block_id or action_id uniqueness, which
element may sit in which block or surface, which text object type a field takes, the
``emoji``/``verbatim`` flags, initial options, or the per-message limits. This module
checks the plain dicts the bot sends, so every builder can be tested the same way.

Each public function returns a list of readable violations; an empty list means valid.

Sources (read while writing this module; the numbers live in ``LIMITS`` below):

* Blocks: https://docs.slack.dev/reference/block-kit/blocks/ - the section, header,
  context, actions, input, image and markdown block pages. "You can include up to 50
  blocks in each message, and 100 blocks in modals or Home tabs":
  https://api.slack.com/reference/block-kit/blocks
* Elements: https://docs.slack.dev/reference/block-kit/block-elements/ - the button,
  checkboxes, radio button group, overflow menu, select menu, multi-select menu,
  plain-text input, number/email/URL input, date/time/datetime picker and image element
  pages. Which element works in which block and surface comes from the "Works with
  block types" table at https://api.slack.com/reference/block-kit/block-elements
* Composition objects: https://docs.slack.dev/reference/block-kit/composition-objects/ -
  the text, option, option group and confirmation dialog object pages.
* Views: https://docs.slack.dev/reference/views/modal-views and
  https://docs.slack.dev/reference/views/home-tab-views
* Message ``text`` is truncated past 40,000 characters:
  https://api.slack.com/changelog/2018-04-truncating-really-long-messages
* action_id "Should be unique among all other action_ids in the containing block" (every
  element page); block_id is "A unique identifier for a block" (every block page).
* Duplicate block_ids are rejected ("Block ID needs to be unique"), as reported in
  https://github.com/slack-go/slack/issues/823 and https://github.com/slack-go/slack/pull/725

Only the block and element types listed in ``BLOCKS`` and ``ELEMENTS`` are known; any
other type is reported, since this checker cannot vouch for it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from types import MappingProxyType
from typing import Any, Final, Literal, NamedTuple

Surface = Literal["message", "modal", "home"]

PLAIN: Final = frozenset({"plain_text"})
ANY_TEXT: Final = frozenset({"plain_text", "mrkdwn"})
ALL_SURFACES: Final[frozenset[Surface]] = frozenset({"message", "modal", "home"})

LIMITS: Final[Mapping[str, int]] = MappingProxyType(
    {
        # Surfaces.
        "message.blocks": 50,
        "view.blocks": 100,
        "message.text": 40_000,  # Slack truncates (with a warning) rather than rejects.
        "modal.title": 24,
        "modal.submit": 24,
        "modal.close": 24,
        "view.callback_id": 255,
        "view.private_metadata": 3000,
        # Blocks.
        "block_id": 255,
        "section.text": 3000,
        "section.fields": 10,
        "section.field": 2000,
        "header.text": 150,
        "context.elements": 10,
        "actions.elements": 25,
        "input.label": 2000,
        "input.hint": 2000,
        "image.alt_text": 2000,
        "image.title": 2000,
        "markdown.text": 12_000,
        # Elements.
        "action_id": 255,
        "url": 3000,
        "button.text": 75,
        "button.value": 2000,
        "placeholder": 150,
        "select.options": 100,
        "select.option_groups": 100,
        "checkboxes.options": 10,
        "radio_buttons.options": 10,
        "overflow.options": 5,
        "plain_text_input.length": 3000,  # min_length 0..3000, max_length 1..3000.
        # Composition objects.
        "text_object": 3000,
        "option.text": 75,
        "option.value": 150,
        "option.description": 75,
        "option_group.label": 75,
        "option_group.options": 100,
        "confirm.title": 100,
        "confirm.text": 300,
        "confirm.confirm": 30,
        "confirm.deny": 30,
    }
)


class TextField(NamedTuple):
    """A field holding a text object: its key, allowed types, limit key, and whether required."""

    key: str
    types: frozenset[str]
    limit: str
    required: bool = False


class StrField(NamedTuple):
    """A field holding a string: its key, limit key (None: no documented maximum), required."""

    key: str
    limit: str | None
    required: bool = False


class IntRange(NamedTuple):
    """An integer field and its inclusive bounds (``high`` may be None for "no maximum")."""

    key: str
    low: int
    high: int | None


class OptionRules(NamedTuple):
    """How an element holds option objects."""

    limit: str
    text_types: frozenset[str]
    groups: bool = False
    initial: Literal["initial_option", "initial_options"] | None = None
    urls: bool = False


class BlockSpec(NamedTuple):
    surfaces: frozenset[Surface] = ALL_SURFACES
    texts: tuple[TextField, ...] = ()
    strings: tuple[StrField, ...] = ()


class ElementSpec(NamedTuple):
    containers: frozenset[str]
    surfaces: frozenset[Surface] = ALL_SURFACES
    texts: tuple[TextField, ...] = ()
    strings: tuple[StrField, ...] = ()
    ints: tuple[IntRange, ...] = ()
    options: OptionRules | None = None


BLOCKS: Final[Mapping[str, BlockSpec]] = MappingProxyType(
    {
        "actions": BlockSpec(),
        "context": BlockSpec(),
        "divider": BlockSpec(),
        "header": BlockSpec(texts=(TextField("text", PLAIN, "header.text", required=True),)),
        "image": BlockSpec(
            texts=(TextField("title", PLAIN, "image.title"),),
            strings=(
                StrField("alt_text", "image.alt_text", required=True),
                StrField("image_url", "url"),
            ),
        ),
        "input": BlockSpec(
            texts=(
                TextField("label", PLAIN, "input.label", required=True),
                TextField("hint", PLAIN, "input.hint"),
            )
        ),
        # The markdown block page lists it for messages only; block_id is ignored there.
        "markdown": BlockSpec(
            surfaces=frozenset({"message"}),
            strings=(StrField("text", "markdown.text", required=True),),
        ),
        # Rich text is accepted but its nested elements are not inspected.
        "rich_text": BlockSpec(),
        "section": BlockSpec(texts=(TextField("text", ANY_TEXT, "section.text"),)),
    }
)

# Containers and surfaces follow the "Works with block types" / "Available in surfaces" table
# of https://api.slack.com/reference/block-kit/block-elements (multi-selects: Section, Actions,
# Input in the current table).
_SAI = frozenset({"section", "actions", "input"})
_INPUT_ONLY = frozenset({"input"})
_MODAL_ONLY: frozenset[Surface] = frozenset({"modal"})
_PLACEHOLDER = (TextField("placeholder", PLAIN, "placeholder"),)
_STATIC_SELECT = OptionRules("select.options", PLAIN, groups=True, initial="initial_option")
_MULTI_STATIC = OptionRules("select.options", PLAIN, groups=True, initial="initial_options")
_MAX_SELECTED = (IntRange("max_selected_items", 1, None),)


def _select(multi: bool, options: OptionRules | None = None) -> ElementSpec:
    return ElementSpec(
        containers=_SAI,
        texts=_PLACEHOLDER,
        ints=_MAX_SELECTED if multi else (),
        options=options,
    )


ELEMENTS: Final[Mapping[str, ElementSpec]] = MappingProxyType(
    {
        "button": ElementSpec(
            containers=frozenset({"section", "actions"}),
            texts=(TextField("text", PLAIN, "button.text", required=True),),
            strings=(StrField("value", "button.value"), StrField("url", "url")),
        ),
        "checkboxes": ElementSpec(
            containers=_SAI,
            options=OptionRules("checkboxes.options", ANY_TEXT, initial="initial_options"),
        ),
        "radio_buttons": ElementSpec(
            containers=_SAI,
            options=OptionRules("radio_buttons.options", ANY_TEXT, initial="initial_option"),
        ),
        # docs.slack.dev: "An array of up to five option objects" (required, so at least 1);
        # slack-sdk 3.48 also uses 1..5. Older api.slack.com text said "minimum is 2"; the
        # current page no longer states a minimum, so none above 1 is enforced here.
        "overflow": ElementSpec(
            containers=frozenset({"section", "actions"}),
            options=OptionRules("overflow.options", PLAIN, urls=True),
        ),
        "static_select": _select(multi=False, options=_STATIC_SELECT),
        "multi_static_select": _select(multi=True, options=_MULTI_STATIC),
        "external_select": _select(multi=False),
        "multi_external_select": _select(multi=True),
        "users_select": _select(multi=False),
        "multi_users_select": _select(multi=True),
        "conversations_select": _select(multi=False),
        "multi_conversations_select": _select(multi=True),
        "channels_select": _select(multi=False),
        "multi_channels_select": _select(multi=True),
        "datepicker": ElementSpec(containers=_SAI, texts=_PLACEHOLDER),
        "timepicker": ElementSpec(containers=_SAI, texts=_PLACEHOLDER),
        "datetimepicker": ElementSpec(
            containers=frozenset({"actions", "input"}),
            surfaces=frozenset({"message", "modal"}),
        ),
        "plain_text_input": ElementSpec(
            containers=_INPUT_ONLY,
            texts=_PLACEHOLDER,
            ints=(
                IntRange("min_length", 0, LIMITS["plain_text_input.length"]),
                IntRange("max_length", 1, LIMITS["plain_text_input.length"]),
            ),
        ),
        "email_text_input": ElementSpec(_INPUT_ONLY, _MODAL_ONLY, texts=_PLACEHOLDER),
        "url_text_input": ElementSpec(_INPUT_ONLY, _MODAL_ONLY, texts=_PLACEHOLDER),
        "number_input": ElementSpec(_INPUT_ONLY, _MODAL_ONLY, texts=_PLACEHOLDER),
        # The image element page gives no alt_text maximum, so only presence is checked.
        "image": ElementSpec(
            containers=frozenset({"section", "context"}),
            strings=(StrField("alt_text", None, required=True), StrField("image_url", "url")),
        ),
    }
)

CONFIRM_FIELDS: Final = (
    TextField("title", PLAIN, "confirm.title", required=True),
    # The field table says plain_text (Slack's example on the same page and slack-sdk's
    # ConfirmObject use mrkdwn, but the reference is what Slack promises).
    TextField("text", PLAIN, "confirm.text", required=True),
    TextField("confirm", PLAIN, "confirm.confirm", required=True),
    TextField("deny", PLAIN, "confirm.deny", required=True),
)
CONFIRM_STYLES: Final = frozenset({"primary", "danger"})


# --- Composition objects -------------------------------------------------------------------


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _text_violations(obj: object, path: str, types: frozenset[str], limit: str) -> Iterator[str]:
    if not isinstance(obj, dict):
        yield f"{path}: must be a text object"
        return
    kind = obj.get("type")
    if kind not in ANY_TEXT:
        yield f"{path}: text object type {kind!r} is not plain_text or mrkdwn"
    elif kind not in types:
        yield f"{path}: must be a plain_text text object, not {kind}"
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        yield f"{path}.text: must be a non-empty string"
    elif len(text) > LIMITS[limit]:
        yield f"{path}.text: {len(text)} characters exceeds {limit} limit of {LIMITS[limit]}"
    if "emoji" in obj and kind != "plain_text":
        yield f"{path}.emoji: only allowed on plain_text text objects"
    if "verbatim" in obj and kind != "mrkdwn":
        yield f"{path}.verbatim: only allowed on mrkdwn text objects"


def _string_violations(value: object, path: str, limit: str | None) -> Iterator[str]:
    if not isinstance(value, str) or not value:
        yield f"{path}: must be a non-empty string"
    elif limit is not None and len(value) > LIMITS[limit]:
        yield f"{path}: {len(value)} characters exceeds {limit} limit of {LIMITS[limit]}"


def _field_violations(
    obj: dict[str, Any],
    path: str,
    texts: tuple[TextField, ...],
    strings: tuple[StrField, ...],
) -> Iterator[str]:
    for tf in texts:
        if tf.key in obj:
            yield from _text_violations(obj[tf.key], _join(path, tf.key), tf.types, tf.limit)
        elif tf.required:
            yield f"{_join(path, tf.key)}: required"
    for sf in strings:
        if sf.key in obj:
            yield from _string_violations(obj[sf.key], _join(path, sf.key), sf.limit)
        elif sf.required:
            yield f"{_join(path, sf.key)}: required"


def _count_violations(items: object, path: str, limit: str, minimum: int = 1) -> Iterator[str]:
    if not isinstance(items, list):
        yield f"{path}: must be a list"
    elif len(items) < minimum:
        yield f"{path}: needs at least {minimum} item(s)"
    elif len(items) > LIMITS[limit]:
        yield f"{path}: {len(items)} items exceeds {limit} limit of {LIMITS[limit]}"


def _confirm_violations(confirm: object, path: str) -> Iterator[str]:
    if not isinstance(confirm, dict):
        yield f"{path}: must be a confirmation dialog object"
        return
    yield from _field_violations(confirm, path, CONFIRM_FIELDS, ())
    if "style" in confirm and confirm["style"] not in CONFIRM_STYLES:
        yield f"{path}.style: must be 'primary' or 'danger'"


def _option_violations(option: object, path: str, rules: OptionRules) -> Iterator[str]:
    if not isinstance(option, dict):
        yield f"{path}: must be an option object"
        return
    texts = (
        TextField("text", rules.text_types, "option.text", required=True),
        TextField("description", rules.text_types, "option.description"),
    )
    strings = (StrField("value", "option.value", required=True), StrField("url", "url"))
    yield from _field_violations(option, path, texts, strings)
    if "url" in option and not rules.urls:
        yield f"{path}.url: only overflow menu options may have a url"


def _option_list_violations(
    element: dict[str, Any], path: str, rules: OptionRules
) -> Iterator[str]:
    """Check the options / option_groups arrays themselves (counts and group labels)."""
    has_options, has_groups = "options" in element, "option_groups" in element
    if rules.groups and has_options == has_groups:
        yield f"{path}: needs exactly one of options or option_groups"
    if not rules.groups and has_groups:
        yield f"{path}.option_groups: not allowed on this element"
    if not rules.groups and not has_options:
        yield f"{path}.options: required"
    if has_options:
        yield from _count_violations(element["options"], f"{path}.options", rules.limit)
    if has_groups and rules.groups:
        groups = element["option_groups"]
        yield from _count_violations(groups, f"{path}.option_groups", "select.option_groups")
        for i, group in enumerate(groups if isinstance(groups, list) else []):
            gpath = f"{path}.option_groups[{i}]"
            if not isinstance(group, dict):
                yield f"{gpath}: must be an option group object"
                continue
            label = (TextField("label", PLAIN, "option_group.label", required=True),)
            yield from _field_violations(group, gpath, label, ())
            yield from _count_violations(
                group.get("options"), f"{gpath}.options", "option_group.options"
            )


def _flat_options(element: dict[str, Any], path: str) -> list[tuple[str, object]]:
    """Every option of an element, with its path, whether given flat or in groups."""
    found: list[tuple[str, object]] = []
    options = element.get("options")
    if isinstance(options, list):
        found += [(f"{path}.options[{i}]", o) for i, o in enumerate(options)]
    groups = element.get("option_groups")
    for g, group in enumerate(groups if isinstance(groups, list) else []):
        inner = group.get("options") if isinstance(group, dict) else None
        if isinstance(inner, list):
            found += [(f"{path}.option_groups[{g}].options[{i}]", o) for i, o in enumerate(inner)]
    return found


def _options_violations(element: dict[str, Any], path: str, rules: OptionRules) -> Iterator[str]:
    yield from _option_list_violations(element, path, rules)
    options = _flat_options(element, path)
    for opath, option in options:
        yield from _option_violations(option, opath, rules)
    values = Counter(
        o["value"] for _, o in options if isinstance(o, dict) and isinstance(o.get("value"), str)
    )
    for value, count in values.items():
        if count > 1:
            yield f"{path}: option value {value!r} is used {count} times; values must be unique"
    if rules.initial is not None and rules.initial in element:
        yield from _initial_violations(element[rules.initial], path, rules.initial, options)


def _initial_violations(
    initial: object, path: str, key: str, options: list[tuple[str, object]]
) -> Iterator[str]:
    choices = [option for _, option in options]
    if key == "initial_option":
        given = [(f"{path}.{key}", initial)]
    elif isinstance(initial, list):
        given = [(f"{path}.{key}[{i}]", option) for i, option in enumerate(initial)]
    else:
        yield f"{path}.{key}: must be a list of option objects"
        return
    for where, option in given:
        if option not in choices:
            yield f"{where}: does not exactly match any of the element's options"


# --- Elements ------------------------------------------------------------------------------


def _int_violations(
    element: dict[str, Any], path: str, ints: tuple[IntRange, ...]
) -> Iterator[str]:
    for rng in ints:
        if rng.key not in element:
            continue
        value = element[rng.key]
        in_range = (
            isinstance(value, int)
            and not isinstance(value, bool)
            and value >= rng.low
            and (rng.high is None or value <= rng.high)
        )
        if not in_range:
            bounds = f"{rng.low}..{rng.high}" if rng.high is not None else f">= {rng.low}"
            yield f"{path}.{rng.key}: {value!r} is outside the allowed range {bounds}"


def _element_violations(
    element: object, path: str, container: str, surface: Surface
) -> Iterator[str]:
    if not isinstance(element, dict):
        yield f"{path}: must be an element object"
        return
    kind = element.get("type")
    if not isinstance(kind, str) or kind not in ELEMENTS:
        yield f"{path}: unknown or unsupported element type {kind!r}"
        return
    spec = ELEMENTS[kind]
    if container not in spec.containers:
        yield f"{path}: element type {kind!r} is not allowed in {container} blocks"
    if surface not in spec.surfaces:
        yield f"{path}: element type {kind!r} is not available on the {surface} surface"
    if "action_id" in element:
        yield from _string_violations(element["action_id"], f"{path}.action_id", "action_id")
    yield from _field_violations(element, path, spec.texts, spec.strings)
    yield from _int_violations(element, path, spec.ints)
    if "confirm" in element:
        yield from _confirm_violations(element["confirm"], f"{path}.confirm")
    if spec.options is not None:
        yield from _options_violations(element, path, spec.options)


# --- Blocks --------------------------------------------------------------------------------


def _section_violations(block: dict[str, Any], path: str, surface: Surface) -> Iterator[str]:
    if "text" not in block and "fields" not in block:
        yield f"{path}: a section needs text or fields"
    if "fields" in block:
        fields = block["fields"]
        yield from _count_violations(fields, f"{path}.fields", "section.fields")
        for i, field in enumerate(fields if isinstance(fields, list) else []):
            yield from _text_violations(field, f"{path}.fields[{i}]", ANY_TEXT, "section.field")
    if "accessory" in block:
        yield from _element_violations(block["accessory"], f"{path}.accessory", "section", surface)


def _context_violations(block: dict[str, Any], path: str, surface: Surface) -> Iterator[str]:
    elements = block.get("elements")
    yield from _count_violations(elements, f"{path}.elements", "context.elements")
    for i, element in enumerate(elements if isinstance(elements, list) else []):
        epath = f"{path}.elements[{i}]"
        if isinstance(element, dict) and element.get("type") in ANY_TEXT:
            yield from _text_violations(element, epath, ANY_TEXT, "text_object")
        else:
            yield from _element_violations(element, epath, "context", surface)


def _actions_violations(block: dict[str, Any], path: str, surface: Surface) -> Iterator[str]:
    elements = block.get("elements")
    yield from _count_violations(elements, f"{path}.elements", "actions.elements")
    for i, element in enumerate(elements if isinstance(elements, list) else []):
        yield from _element_violations(element, f"{path}.elements[{i}]", "actions", surface)


def _input_violations(block: dict[str, Any], path: str, surface: Surface) -> Iterator[str]:
    if "element" not in block:
        yield f"{path}.element: required (exactly one input element)"
    else:
        yield from _element_violations(block["element"], f"{path}.element", "input", surface)


def _image_violations(block: dict[str, Any], path: str, surface: Surface) -> Iterator[str]:
    if "image_url" not in block and "slack_file" not in block:
        yield f"{path}: an image block needs image_url or slack_file"


BlockCheck = Callable[[dict[str, Any], str, Surface], Iterator[str]]

BLOCK_CHECKS: Final[Mapping[str, BlockCheck]] = MappingProxyType(
    {
        "actions": _actions_violations,
        "context": _context_violations,
        "image": _image_violations,
        "input": _input_violations,
        "section": _section_violations,
    }
)


def _child_elements(block: dict[str, Any]) -> list[object]:
    """The block elements a block holds directly (accessory, element, or elements)."""
    children: list[object] = [block[key] for key in ("accessory", "element") if key in block]
    elements = block.get("elements")
    if isinstance(elements, list):
        children += elements
    return children


def _action_ids(block: dict[str, Any]) -> list[str]:
    return [
        e["action_id"]
        for e in _child_elements(block)
        if isinstance(e, dict) and isinstance(e.get("action_id"), str)
    ]


def _block_violations(block: object, path: str, surface: Surface) -> Iterator[str]:
    if not isinstance(block, dict):
        yield f"{path}: must be a block object"
        return
    kind = block.get("type")
    if not isinstance(kind, str) or kind not in BLOCKS:
        yield f"{path}: unknown or unsupported block type {kind!r}"
        return
    spec = BLOCKS[kind]
    if surface not in spec.surfaces:
        yield f"{path}: block type {kind!r} is not available on the {surface} surface"
    if "block_id" in block:
        yield from _string_violations(block["block_id"], f"{path}.block_id", "block_id")
    yield from _field_violations(block, path, spec.texts, spec.strings)
    check = BLOCK_CHECKS.get(kind)
    if check is not None:
        yield from check(block, path, surface)
    for action_id, count in Counter(_action_ids(block)).items():
        if count > 1:
            yield f"{path}: action_id {action_id!r} is used {count} times in one block"


def _blocks_violations(blocks: object, surface: Surface, limit: str) -> Iterator[str]:
    yield from _count_violations(blocks, "blocks", limit, minimum=0)
    if not isinstance(blocks, list):
        return
    for i, block in enumerate(blocks):
        yield from _block_violations(block, f"blocks[{i}]", surface)
    block_ids = Counter(
        b["block_id"] for b in blocks if isinstance(b, dict) and isinstance(b.get("block_id"), str)
    )
    for block_id, count in block_ids.items():
        if count > 1:
            yield f"blocks: block_id {block_id!r} is used {count} times; it must be unique"


# --- Surfaces ------------------------------------------------------------------------------


def _focus_violations(blocks: list[object]) -> Iterator[str]:
    focused = [
        e
        for b in blocks
        if isinstance(b, dict)
        for e in _child_elements(b)
        if isinstance(e, dict) and e.get("focus_on_load") is True
    ]
    if len(focused) > 1:
        yield f"blocks: {len(focused)} elements set focus_on_load; at most one may"


MODAL_FIELDS: Final = (
    TextField("title", PLAIN, "modal.title", required=True),
    TextField("submit", PLAIN, "modal.submit"),
    TextField("close", PLAIN, "modal.close"),
)
VIEW_STRINGS: Final = (
    StrField("callback_id", "view.callback_id"),
    StrField("private_metadata", "view.private_metadata"),
)


def _has_input_block(blocks: object) -> bool:
    return isinstance(blocks, list) and any(
        isinstance(b, dict) and b.get("type") == "input" for b in blocks
    )


def _view_violations(view: object, kind: Literal["modal", "home"]) -> Iterator[str]:
    if not isinstance(view, dict):
        yield "view: must be a view object"
        return
    if view.get("type") != kind:
        yield f"type: must be {kind!r}, not {view.get('type')!r}"
    if kind == "modal":
        yield from _field_violations(view, "", MODAL_FIELDS, VIEW_STRINGS)
        if _has_input_block(view.get("blocks")) and "submit" not in view:
            yield "submit: required when the modal contains an input block"
    else:
        yield from _field_violations(view, "", (), VIEW_STRINGS)
        for key in ("title", "submit", "close"):
            if key in view:
                yield f"{key}: not a Home tab view field (modals only)"
    blocks = view.get("blocks")
    yield from _blocks_violations(blocks, kind, "view.blocks")
    if isinstance(blocks, list):
        yield from _focus_violations(blocks)


def modal_violations(view: dict[str, Any]) -> list[str]:
    """Violations of a modal view object (as passed to views.open, views.update, views.push)."""
    return list(_view_violations(view, "modal"))


def home_violations(view: dict[str, Any]) -> list[str]:
    """Violations of a Home tab view object (as passed to views.publish)."""
    return list(_view_violations(view, "home"))


def message_violations(blocks: list[dict[str, Any]], text: str | None = None) -> list[str]:
    """Violations of a message's blocks and top-level fallback ``text``."""
    found = list(_blocks_violations(blocks, "message", "message.blocks"))
    if text is not None and len(text) > LIMITS["message.text"]:
        found.append(
            f"text: {len(text)} characters exceeds message.text limit of "
            f"{LIMITS['message.text']} (Slack truncates it)"
        )
    return found


def _raise_if_any(what: str, violations: list[str]) -> None:
    if violations:
        listing = "\n".join(f"  - {v}" for v in violations)
        raise AssertionError(f"{what} breaks {len(violations)} Block Kit rule(s):\n{listing}")


def assert_valid_message(blocks: list[dict[str, Any]], text: str | None = None) -> None:
    """Raise AssertionError listing every violation in the message, if any."""
    _raise_if_any("message", message_violations(blocks, text))


def assert_valid_modal(view: dict[str, Any]) -> None:
    """Raise AssertionError listing every violation in the modal view, if any."""
    _raise_if_any("modal", modal_violations(view))


def assert_valid_home(view: dict[str, Any]) -> None:
    """Raise AssertionError listing every violation in the Home tab view, if any."""
    _raise_if_any("home tab", home_violations(view))
