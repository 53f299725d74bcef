"""Each Block Kit rule fires on a payload that breaks it and stays quiet on one that keeps it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    CheckboxesElement,
    HeaderBlock,
    InputBlock,
    Option,
    PlainTextInputElement,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from tests.blockkit_limits import (
    LIMITS,
    assert_valid_home,
    assert_valid_message,
    assert_valid_modal,
    home_violations,
    message_violations,
    modal_violations,
)

Json = dict[str, Any]
Check = Callable[[Any], list[str]]


# --- Payload builders ----------------------------------------------------------------------


def x(n: int) -> str:
    return "x" * n


def pt(text: str = "Text", **extra: Any) -> Json:
    return {"type": "plain_text", "text": text, **extra}


def md(text: str = "Text", **extra: Any) -> Json:
    return {"type": "mrkdwn", "text": text, **extra}


def opt(value: str = "v", text: Json | None = None, **extra: Any) -> Json:
    return {"text": text or pt(value), "value": value, **extra}


def opts(n: int) -> list[Json]:
    return [opt(f"v{i}") for i in range(n)]


def section(text: Json | None = None, **extra: Any) -> Json:
    return {"type": "section", "text": text or md(), **extra}


def header(text: Json) -> Json:
    return {"type": "header", "text": text}


def button(action_id: str = "go", **extra: Any) -> Json:
    return {"type": "button", "text": pt("Go"), "action_id": action_id, **extra}


def actions(*elements: Json, **extra: Any) -> Json:
    return {"type": "actions", "elements": list(elements), **extra}


def context(*elements: Json) -> Json:
    return {"type": "context", "elements": list(elements)}


def select(kind: str = "static_select", **extra: Any) -> Json:
    return {"type": kind, "action_id": "pick", **extra}


def text_input(**extra: Any) -> Json:
    return {"type": "plain_text_input", "action_id": "in", **extra}


def input_block(element: Any = None, **extra: Any) -> Json:
    return {"type": "input", "label": pt("Label"), "element": element or text_input(), **extra}


def confirm(**overrides: Any) -> Json:
    return {
        "title": pt("Sure?"),
        "text": pt("Really?"),
        "confirm": pt("Yes"),
        "deny": pt("No"),
        **overrides,
    }


def modal(*blocks: Json, **extra: Any) -> Json:
    return {
        "type": "modal",
        "title": pt("Title"),
        "submit": pt("Save"),
        "blocks": list(blocks),
        **extra,
    }


def home(*blocks: Json, **extra: Any) -> Json:
    return {"type": "home", "blocks": list(blocks), **extra}


def accessory(element: Json) -> list[Json]:
    """A message whose only block is a section holding ``element``."""
    return [section(accessory=element)]


def in_actions(*elements: Json) -> list[Json]:
    return [actions(*elements)]


MSG: Check = message_violations
MODAL: Check = modal_violations
HOME: Check = home_violations


# --- Rule table: (checker, breaking payload, keeping payload, expected message fragment) ---

RULES = [
    # Surfaces and views.
    pytest.param(
        MSG, [section()] * 51, [section()] * 50, "message.blocks limit of 50", id="msg-50"
    ),
    pytest.param(
        MODAL, modal(*[section()] * 101), modal(*[section()] * 100), "limit of 100", id="modal-100"
    ),
    pytest.param(
        HOME, home(*[section()] * 101), home(*[section()] * 100), "limit of 100", id="home-100"
    ),
    pytest.param(
        MODAL, {**modal(), "type": "home"}, modal(), "type: must be 'modal'", id="modal-type"
    ),
    pytest.param(HOME, {**home(), "type": "modal"}, home(), "type: must be 'home'", id="home-type"),
    pytest.param(
        MODAL, modal(title=pt(x(25))), modal(title=pt(x(24))), "modal.title", id="modal-title"
    ),
    pytest.param(
        MODAL, {"type": "modal", "blocks": []}, modal(), "title: required", id="modal-title-req"
    ),
    pytest.param(
        MODAL, modal(title=md("T")), modal(), "title: must be a plain_text", id="title-plain"
    ),
    pytest.param(
        MODAL, modal(submit=pt(x(25))), modal(submit=pt(x(24))), "modal.submit", id="submit-24"
    ),
    pytest.param(
        MODAL, modal(close=pt(x(25))), modal(close=pt(x(24))), "modal.close", id="close-24"
    ),
    pytest.param(
        MODAL,
        {"type": "modal", "title": pt("T"), "blocks": [input_block()]},
        {"type": "modal", "title": pt("T"), "blocks": [section()]},
        "submit: required when the modal contains an input block",
        id="modal-input-needs-submit",
    ),
    pytest.param(
        MODAL, modal(callback_id=x(256)), modal(callback_id=x(255)), "callback_id", id="cb-255"
    ),
    pytest.param(
        HOME, home(callback_id=x(256)), home(callback_id=x(255)), "callback_id", id="home-cb-255"
    ),
    pytest.param(
        MODAL,
        modal(private_metadata=x(3001)),
        modal(private_metadata=x(3000)),
        "private_metadata",
        id="metadata-3000",
    ),
    pytest.param(
        HOME,
        home(private_metadata=x(3001)),
        home(private_metadata=x(3000)),
        "private_metadata",
        id="home-metadata-3000",
    ),
    pytest.param(HOME, home(title=pt("T")), home(), "not a Home tab view field", id="home-title"),
    pytest.param(
        MODAL,
        modal(
            input_block(text_input(focus_on_load=True), block_id="a"),
            input_block(text_input(focus_on_load=True), block_id="b"),
        ),
        modal(
            input_block(text_input(focus_on_load=True), block_id="a"),
            input_block(text_input(), block_id="b"),
        ),
        "focus_on_load; at most one",
        id="focus-on-load-once",
    ),
    # Block ids and action ids.
    pytest.param(
        MSG, [section(block_id=x(256))], [section(block_id=x(255))], "block_id", id="bid-255"
    ),
    pytest.param(
        MSG,
        [section(block_id="a"), section(block_id="a")],
        [section(block_id="a"), section(block_id="b")],
        "block_id 'a' is used 2 times",
        id="bid-unique",
    ),
    pytest.param(
        MSG, in_actions(button(x(256))), in_actions(button(x(255))), "action_id", id="aid-255"
    ),
    pytest.param(
        MSG,
        in_actions(button("a"), button("a")),
        [actions(button("a")), actions(button("a"))],
        "action_id 'a' is used 2 times in one block",
        id="aid-unique-in-block",
    ),
    # Unknown types.
    pytest.param(
        MSG,
        [{"type": "carousel_x"}],
        [{"type": "divider"}],
        "unknown or unsupported block",
        id="unknown-block",
    ),
    pytest.param(
        MSG,
        in_actions({"type": "slider"}),
        in_actions(button()),
        "unknown or unsupported element",
        id="unknown-element",
    ),
    # Text objects.
    pytest.param(
        MSG, [section(md(""))], [section(md("a"))], "must be a non-empty string", id="text-empty"
    ),
    pytest.param(
        MSG,
        [section({"type": "markdown", "text": "a"})],
        [section(pt("a"))],
        "not plain_text or mrkdwn",
        id="text-type",
    ),
    pytest.param(
        MSG,
        [section(md("a", emoji=True))],
        [section(pt("a", emoji=True))],
        "emoji: only allowed on plain_text",
        id="emoji-flag",
    ),
    pytest.param(
        MSG,
        [section(pt("a", verbatim=True))],
        [section(md("a", verbatim=True))],
        "verbatim: only allowed on mrkdwn",
        id="verbatim-flag",
    ),
    # Section.
    pytest.param(
        MSG,
        [section(md(x(3001)))],
        [section(md(x(3000)))],
        "section.text limit of 3000",
        id="section-3000",
    ),
    pytest.param(
        MSG,
        [{"type": "section"}],
        [{"type": "section", "fields": [md()]}],
        "needs text or fields",
        id="section-empty",
    ),
    pytest.param(
        MSG,
        [{"type": "section", "fields": [md()] * 11}],
        [{"type": "section", "fields": [md()] * 10}],
        "section.fields limit of 10",
        id="fields-10",
    ),
    pytest.param(
        MSG,
        [{"type": "section", "fields": [md(x(2001))]}],
        [{"type": "section", "fields": [md(x(2000))]}],
        "section.field limit of 2000",
        id="field-2000",
    ),
    # Header.
    pytest.param(
        MSG, [header(pt(x(151)))], [header(pt(x(150)))], "header.text limit of 150", id="header-150"
    ),
    pytest.param(
        MSG, [header(md("H"))], [header(pt("H"))], "must be a plain_text", id="header-plain"
    ),
    pytest.param(
        MSG, [{"type": "header"}], [header(pt("H"))], "text: required", id="header-required"
    ),
    # Context.
    pytest.param(
        MSG,
        [context(*[md()] * 11)],
        [context(*[md()] * 10)],
        "context.elements limit of 10",
        id="context-10",
    ),
    pytest.param(
        MSG,
        [context(button())],
        [context(md(), {"type": "image", "image_url": "https://e.x/i.png", "alt_text": "i"})],
        "'button' is not allowed in context blocks",
        id="context-element-type",
    ),
    # Actions.
    pytest.param(
        MSG,
        in_actions(*[button(f"b{i}") for i in range(26)]),
        in_actions(*[button(f"b{i}") for i in range(25)]),
        "actions.elements limit of 25",
        id="actions-25",
    ),
    pytest.param(MSG, [actions()], in_actions(button()), "needs at least 1", id="actions-empty"),
    pytest.param(
        MODAL,
        modal(actions(text_input())),
        modal(input_block(text_input())),
        "'plain_text_input' is not allowed in actions blocks",
        id="element-container",
    ),
    # Button.
    pytest.param(
        MSG,
        in_actions(button(text=pt(x(76)))),
        in_actions(button(text=pt(x(75)))),
        "button.text limit of 75",
        id="button-text-75",
    ),
    pytest.param(
        MSG,
        in_actions(button(text=md("Go"))),
        in_actions(button(text=pt("Go"))),
        "must be a plain_text",
        id="button-plain",
    ),
    pytest.param(
        MSG,
        in_actions(button(value=x(2001))),
        in_actions(button(value=x(2000))),
        "button.value limit of 2000",
        id="button-value",
    ),
    pytest.param(
        MSG,
        in_actions(button(url=x(3001))),
        in_actions(button(url=x(3000))),
        "url limit of 3000",
        id="button-url",
    ),
    # Selects and options.
    pytest.param(
        MSG,
        accessory(select(options=opts(101))),
        accessory(select(options=opts(100))),
        "select.options limit of 100",
        id="select-100",
    ),
    pytest.param(
        MSG,
        accessory(
            select(
                option_groups=[{"label": pt("G"), "options": [opt(f"g{i}")]} for i in range(101)]
            )
        ),
        accessory(
            select(
                option_groups=[{"label": pt("G"), "options": [opt(f"g{i}")]} for i in range(100)]
            )
        ),
        "select.option_groups limit of 100",
        id="select-groups-100",
    ),
    pytest.param(
        MSG,
        accessory(select(option_groups=[{"label": pt("G"), "options": opts(101)}])),
        accessory(select(option_groups=[{"label": pt("G"), "options": opts(100)}])),
        "option_group.options limit of 100",
        id="group-options-100",
    ),
    pytest.param(
        MSG,
        accessory(select(option_groups=[{"label": pt(x(76)), "options": opts(1)}])),
        accessory(select(option_groups=[{"label": pt(x(75)), "options": opts(1)}])),
        "option_group.label limit of 75",
        id="group-label-75",
    ),
    pytest.param(
        MSG,
        accessory(select(options=opts(1), option_groups=[{"label": pt("G"), "options": opts(1)}])),
        accessory(select(options=opts(1))),
        "exactly one of options or option_groups",
        id="select-options-xor-groups",
    ),
    pytest.param(
        MSG,
        accessory(select("multi_static_select", options=opts(101))),
        accessory(select("multi_static_select", options=opts(100))),
        "select.options limit of 100",
        id="multi-select-100",
    ),
    pytest.param(
        MSG,
        accessory(select("multi_users_select", max_selected_items=0)),
        accessory(select("multi_users_select", max_selected_items=1)),
        "max_selected_items",
        id="max-selected-items",
    ),
    pytest.param(
        MSG,
        accessory({"type": "checkboxes", "options": opts(11)}),
        accessory({"type": "checkboxes", "options": opts(10)}),
        "checkboxes.options limit of 10",
        id="checkboxes-10",
    ),
    pytest.param(
        MSG,
        accessory({"type": "radio_buttons", "options": opts(11)}),
        accessory({"type": "radio_buttons", "options": opts(10)}),
        "radio_buttons.options limit of 10",
        id="radio-10",
    ),
    pytest.param(
        MSG,
        accessory({"type": "overflow", "options": opts(6)}),
        accessory({"type": "overflow", "options": opts(5)}),
        "overflow.options limit of 5",
        id="overflow-5",
    ),
    pytest.param(
        MSG,
        accessory({"type": "overflow", "options": []}),
        accessory({"type": "overflow", "options": opts(1)}),
        "needs at least 1",
        id="overflow-nonempty",
    ),
    pytest.param(
        MSG,
        accessory(select(options=[opt("v", pt(x(76)))])),
        accessory(select(options=[opt("v", pt(x(75)))])),
        "option.text limit of 75",
        id="option-text-75",
    ),
    pytest.param(
        MSG,
        accessory(select(options=[opt(x(151))])),
        accessory(select(options=[opt(x(150), pt("v"))])),
        "option.value limit of 150",
        id="option-value-150",
    ),
    pytest.param(
        MSG,
        accessory(select(options=[opt(description=pt(x(76)))])),
        accessory(select(options=[opt(description=pt(x(75)))])),
        "option.description limit of 75",
        id="option-description-75",
    ),
    pytest.param(
        MSG,
        accessory(select(options=[opt("v", md("*v*"))])),
        accessory({"type": "checkboxes", "options": [opt("v", md("*v*"))]}),
        "must be a plain_text",
        id="option-text-type",
    ),
    pytest.param(
        MSG,
        accessory(select(options=[opt(url="https://e.x")])),
        accessory({"type": "overflow", "options": [opt(url="https://e.x")]}),
        "only overflow menu options may have a url",
        id="option-url-overflow-only",
    ),
    pytest.param(
        MSG,
        accessory(select(options=[opt("v"), opt("v")])),
        accessory(select(options=[opt("v"), opt("w")])),
        "option value 'v' is used 2 times",
        id="option-values-unique",
    ),
    pytest.param(
        MSG,
        accessory({"type": "checkboxes", "options": opts(2), "initial_options": [opt("zz")]}),
        accessory({"type": "checkboxes", "options": opts(2), "initial_options": [opt("v1")]}),
        "initial_options[0]: does not exactly match",
        id="checkboxes-initial-subset",
    ),
    pytest.param(
        MSG,
        accessory(
            select("multi_static_select", options=opts(2), initial_options=[opt("v0", pt("V0"))])
        ),
        accessory(select("multi_static_select", options=opts(2), initial_options=opts(2))),
        "initial_options[0]: does not exactly match",
        id="multi-select-initial-subset",
    ),
    pytest.param(
        MSG,
        accessory({"type": "radio_buttons", "options": opts(2), "initial_option": opt("zz")}),
        accessory({"type": "radio_buttons", "options": opts(2), "initial_option": opt("v0")}),
        "initial_option: does not exactly match",
        id="radio-initial-option",
    ),
    pytest.param(
        MSG,
        accessory(
            select(option_groups=[{"label": pt("G"), "options": opts(2)}], initial_option=opt("zz"))
        ),
        accessory(
            select(option_groups=[{"label": pt("G"), "options": opts(2)}], initial_option=opt("v1"))
        ),
        "initial_option: does not exactly match",
        id="select-initial-in-groups",
    ),
    # Inputs.
    pytest.param(
        MODAL,
        modal(input_block(text_input(max_length=3001))),
        modal(input_block(text_input(max_length=3000, min_length=0))),
        "max_length: 3001 is outside the allowed range 1..3000",
        id="text-input-max-length",
    ),
    pytest.param(
        MODAL,
        modal(input_block(text_input(min_length=-1))),
        modal(input_block(text_input(min_length=3000))),
        "min_length: -1 is outside",
        id="text-input-min-length",
    ),
    pytest.param(
        MODAL,
        modal(input_block(text_input(placeholder=pt(x(151))))),
        modal(input_block(text_input(placeholder=pt(x(150))))),
        "placeholder limit of 150",
        id="placeholder-150",
    ),
    pytest.param(
        MSG,
        accessory(select(options=opts(1), placeholder=md("Pick"))),
        accessory(select(options=opts(1), placeholder=pt("Pick"))),
        "placeholder: must be a plain_text",
        id="placeholder-plain",
    ),
    pytest.param(
        MODAL,
        modal(input_block(label=pt(x(2001)))),
        modal(input_block(label=pt(x(2000)))),
        "input.label limit of 2000",
        id="label-2000",
    ),
    pytest.param(
        MODAL,
        modal(input_block(label=md("L"))),
        modal(input_block(label=pt("L"))),
        "label: must be a plain_text",
        id="label-plain",
    ),
    pytest.param(
        MODAL,
        modal(input_block(hint=pt(x(2001)))),
        modal(input_block(hint=pt(x(2000)))),
        "input.hint limit of 2000",
        id="hint-2000",
    ),
    pytest.param(
        MODAL,
        modal({"type": "input", "label": pt("L")}),
        modal(input_block()),
        "element: required",
        id="input-needs-element",
    ),
    pytest.param(
        MODAL,
        modal(input_block([text_input(), text_input()])),
        modal(input_block(text_input())),
        "element: must be an element object",
        id="input-exactly-one-element",
    ),
    pytest.param(
        MODAL,
        modal(input_block(button())),
        modal(input_block({"type": "checkboxes", "action_id": "c", "options": opts(1)})),
        "'button' is not allowed in input blocks",
        id="input-element-type",
    ),
    pytest.param(
        MSG,
        [input_block({"type": "email_text_input", "action_id": "e"})],
        [input_block(text_input())],
        "'email_text_input' is not available on the message surface",
        id="element-surface",
    ),
    # Confirmation dialogs.
    pytest.param(
        MSG,
        in_actions(button(confirm=confirm(title=pt(x(101))))),
        in_actions(button(confirm=confirm(title=pt(x(100))))),
        "confirm.title limit of 100",
        id="confirm-title-100",
    ),
    pytest.param(
        MSG,
        in_actions(button(confirm=confirm(text=pt(x(301))))),
        in_actions(button(confirm=confirm(text=pt(x(300))))),
        "confirm.text limit of 300",
        id="confirm-text-300",
    ),
    pytest.param(
        MSG,
        in_actions(button(confirm=confirm(text=md("Really?")))),
        in_actions(button(confirm=confirm())),
        "confirm.text: must be a plain_text",
        id="confirm-text-plain",
    ),
    pytest.param(
        MSG,
        in_actions(button(confirm=confirm(confirm=pt(x(31))))),
        in_actions(button(confirm=confirm(confirm=pt(x(30))))),
        "confirm.confirm limit of 30",
        id="confirm-confirm-30",
    ),
    pytest.param(
        MSG,
        in_actions(button(confirm=confirm(deny=pt(x(31))))),
        in_actions(button(confirm=confirm(deny=pt(x(30))))),
        "confirm.deny limit of 30",
        id="confirm-deny-30",
    ),
    pytest.param(
        MSG,
        in_actions(button(confirm=confirm(style="green"))),
        in_actions(button(confirm=confirm(style="danger"))),
        "style: must be 'primary' or 'danger'",
        id="confirm-style",
    ),
    pytest.param(
        MSG,
        in_actions(button(confirm=confirm(title=md("T")))),
        in_actions(button(confirm=confirm())),
        "title: must be a plain_text",
        id="confirm-title-plain",
    ),
    # Image and markdown blocks.
    pytest.param(
        MSG,
        [{"type": "image", "image_url": "https://e.x/i.png", "alt_text": x(2001)}],
        [
            {
                "type": "image",
                "image_url": "https://e.x/i.png",
                "alt_text": x(2000),
                "title": pt("T"),
            }
        ],
        "image.alt_text limit of 2000",
        id="image-alt-2000",
    ),
    pytest.param(
        MSG,
        [{"type": "image", "alt_text": "a"}],
        [{"type": "image", "slack_file": {"id": "F1"}, "alt_text": "a"}],
        "needs image_url or slack_file",
        id="image-source",
    ),
    pytest.param(
        MSG,
        [{"type": "markdown", "text": x(12_001)}],
        [{"type": "markdown", "text": x(12_000)}],
        "markdown.text limit of 12000",
        id="markdown-12000",
    ),
    pytest.param(
        MODAL,
        modal({"type": "markdown", "text": "**hi**"}),
        modal(section()),
        "'markdown' is not available on the modal surface",
        id="markdown-messages-only",
    ),
]


@pytest.mark.parametrize(("check", "breaking", "keeping", "fragment"), RULES)
def test_rule_fires_and_passes(check: Check, breaking: Any, keeping: Any, fragment: str) -> None:
    found = check(breaking)
    assert any(fragment in v for v in found), found
    assert check(keeping) == []


def test_message_text_limit() -> None:
    limit = LIMITS["message.text"]
    assert message_violations([], text=x(limit)) == []
    assert message_violations([], text=x(limit + 1)) == [
        f"text: {limit + 1} characters exceeds message.text limit of {limit} (Slack truncates it)"
    ]


def test_violations_name_their_location() -> None:
    blocks = [section(), actions(button("a"), button("b", text=pt(x(76))))]
    assert message_violations(blocks) == [
        "blocks[1].elements[1].text.text: 76 characters exceeds button.text limit of 75"
    ]


def test_every_violation_is_reported_not_just_the_first() -> None:
    found = message_violations([header(md(x(151))), {"type": "section"}])
    assert len(found) == 3, found


@given(st.integers(min_value=1, max_value=2 * LIMITS["header.text"]))
def test_header_length_boundary(length: int) -> None:
    valid = message_violations([header(pt(x(length)))]) == []
    assert valid == (length <= LIMITS["header.text"])


@pytest.mark.parametrize(
    ("asserter", "good", "bad"),
    [
        (assert_valid_message, [section()], [section(md(""))]),
        (assert_valid_modal, modal(input_block()), modal(input_block(), title=pt(x(25)))),
        (assert_valid_home, home(section()), home(section(), submit=pt("Save"))),
    ],
)
def test_assert_helpers(asserter: Callable[[Any], None], good: Any, bad: Any) -> None:
    asserter(good)
    with pytest.raises(AssertionError, match=r"breaks 1 Block Kit rule\(s\):\n  - "):
        asserter(bad)


def test_slack_sdk_built_payloads_pass() -> None:
    blocks = [
        HeaderBlock(text="Billing access"),
        SectionBlock(
            text="Pick a role",
            accessory=StaticSelectElement(
                action_id="role",
                placeholder="Role",
                options=[
                    Option(value="admin", text="Admin"),
                    Option(value="viewer", text="Viewer"),
                ],
            ),
        ),
        ActionsBlock(elements=[ButtonElement(text="Approve", action_id="approve", value="1")]),
    ]
    assert_valid_message([b.to_dict() for b in blocks], text="Billing access")
    view = View(
        type="modal",
        title="Grant access",
        submit="Grant",
        blocks=[InputBlock(label="Reason", element=PlainTextInputElement(action_id="reason"))],
    )
    assert_valid_modal(view.to_dict())


def test_catches_what_slack_sdk_lets_through() -> None:
    options = [Option(value=f"v{i}", text=f"Option {i}") for i in range(11)]
    element = CheckboxesElement(action_id="boxes", options=options)
    element.validate_json()  # slack-sdk does not limit checkbox options
    assert any(
        "checkboxes.options limit of 10" in v
        for v in message_violations([section(accessory=element.to_dict())])
    )
