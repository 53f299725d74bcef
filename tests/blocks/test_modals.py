"""The invite, Manage Permissions, Add Contact and settings modals, and the parsers of what
they submit."""

from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.blocks import ids, modals
from bot.blocks.messages import Message
from bot.blocks.modals import (
    ContactForm,
    InviteForm,
    SettingsForm,
    contact_modal,
    field_errors,
    invite_modal,
    parse_contact,
    parse_invite,
    parse_permissions,
    parse_settings,
    permissions_modal,
    settings_modal,
)
from bot.core import DEFAULT_TIMINGS, Timings
from bot.core.contact_emails import ALL_EMAIL_KINDS, EMAIL_KINDS
from bot.core.permissions import ALL_KEYS, CATALOGUE
from tests.blockkit_limits import assert_valid_modal
from tests.blocks import HUGE_EMAIL, assert_no_raw_markup, rendered, walk

PERMISSION_BLOCKS = (ids.PERMISSIONS_BLOCK, ids.PERMISSIONS_MORE_BLOCK)
SOME_PERMISSIONS = [(), ("invoices",), ("orders", "profile", "tickets"), ALL_KEYS]


def submitted(view: Mapping[str, Any], answers: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The ``view.state.values`` Slack sends: ``answers`` by block_id, else the initial values."""
    values: dict[str, Any] = {}
    for block in view["blocks"]:
        if block["type"] == "input":
            element = block["element"]
            answer = (answers or {}).get(block["block_id"], _UNTOUCHED)
            values[block["block_id"]] = {element["action_id"]: _state(element, answer)}
    return values


_UNTOUCHED = object()


def _state(element: Mapping[str, Any], answer: Any) -> dict[str, Any]:
    kind = element["type"]
    untouched = answer is _UNTOUCHED
    if kind == "plain_text_input":
        return {"type": kind, "value": element.get("initial_value") if untouched else answer}
    if kind == "radio_buttons":
        chosen = element.get("initial_option") if untouched else _options(element, {answer})[0]
        return {"type": kind, "selected_option": chosen}
    if kind == "checkboxes":
        chosen = element.get("initial_options", []) if untouched else _options(element, answer)
        return {"type": kind, "selected_options": chosen}
    assert kind == "conversations_select"
    conversation = element.get("initial_conversation") if untouched else answer
    return {"type": kind, "selected_conversation": conversation}


def _options(element: Mapping[str, Any], values: Any) -> list[dict[str, Any]]:
    return [option for option in element["options"] if option["value"] in values]


def split(keys: Sequence[str]) -> dict[str, list[str]]:
    """Ticked keys as answers for the two permission blocks."""
    return {block_id: list(keys) for block_id in PERMISSION_BLOCKS}


def input_blocks(view: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}


def permission_options(view: Mapping[str, Any]) -> list[dict[str, Any]]:
    blocks = input_blocks(view)
    return [o for block_id in PERMISSION_BLOCKS for o in blocks[block_id]["element"]["options"]]


# --- Invite New User ---------------------------------------------------------------------------


def test_invite_modal_has_its_ids_title_and_fields() -> None:
    view = invite_modal()
    assert_valid_modal(view)
    assert view["callback_id"] == ids.INVITE_MODAL
    assert view["title"]["text"] == "Invite New User"
    assert view["submit"]["text"] == "Send Invitation"
    blocks = input_blocks(view)
    assert list(blocks) == [ids.EMAILS_BLOCK, ids.GRANT_BLOCK, *PERMISSION_BLOCKS]
    emails = blocks[ids.EMAILS_BLOCK]
    assert emails["element"]["action_id"] == ids.EMAILS_INPUT
    assert emails["element"]["multiline"] is True
    assert "initial_value" not in emails["element"]
    assert emails["hint"]["text"] == "One or several addresses, separated by commas or spaces"
    grant = blocks[ids.GRANT_BLOCK]["element"]
    assert grant["type"] == "radio_buttons" and grant["action_id"] == ids.GRANT_INPUT
    assert [o["value"] for o in grant["options"]] == ["all", "choose"]
    assert [o["text"]["text"] for o in grant["options"]] == [
        "All Permissions",
        "Choose Permissions",
    ]
    assert grant["initial_option"]["value"] == "all"


def test_the_13_permissions_are_two_optional_checkbox_groups_in_catalogue_order() -> None:
    for view in (invite_modal(), permissions_modal("a@example.com", ())):
        blocks = input_blocks(view)
        for block_id in PERMISSION_BLOCKS:
            element = blocks[block_id]["element"]
            assert blocks[block_id]["optional"] is True
            assert element["type"] == "checkboxes"
            assert element["action_id"] == ids.PERMISSIONS_INPUT
            assert len(element["options"]) <= 10
        options = permission_options(view)
        assert [o["value"] for o in options] == list(ALL_KEYS)
        assert [o["text"]["text"] for o in options] == [p.label for p in CATALOGUE]
        assert [o["description"]["text"] for o in options] == [p.description for p in CATALOGUE]


def test_untouched_invite_modal_grants_all_permissions_to_nobody_yet() -> None:
    form = parse_invite(submitted(invite_modal()))
    assert form == InviteForm(emails_text="", grant_all=True, permissions=())
    assert form.granted == ALL_KEYS


@pytest.mark.parametrize(
    ("prefill", "initial"),
    [
        (["a@example.com"], "a@example.com"),
        (["a@example.com", "B@Example.com"], "a@example.com, B@Example.com"),
    ],
)
def test_prefilled_emails_come_back_as_typed(prefill: list[str], initial: str) -> None:
    view = invite_modal(prefill)
    assert_valid_modal(view)
    assert input_blocks(view)[ids.EMAILS_BLOCK]["element"]["initial_value"] == initial
    assert parse_invite(submitted(view)).emails_text == initial


def test_prefill_keeps_only_whole_addresses_that_fit() -> None:
    many = [f"person{i}@example.com" for i in range(500)]
    initial = input_blocks(invite_modal(many))[ids.EMAILS_BLOCK]["element"]["initial_value"]
    assert len(initial) <= 3000
    assert initial.split(", ") == many[: len(initial.split(", "))]
    huge = invite_modal([HUGE_EMAIL])
    assert_valid_modal(huge)
    assert "initial_value" not in input_blocks(huge)[ids.EMAILS_BLOCK]["element"]


@pytest.mark.parametrize("chosen", SOME_PERMISSIONS)
def test_chosen_permissions_round_trip(chosen: tuple[str, ...]) -> None:
    answers = {ids.EMAILS_BLOCK: "x@example.com y@example.com", ids.GRANT_BLOCK: "choose"}
    form = parse_invite(submitted(invite_modal(), {**answers, **split(chosen)}))
    expected = tuple(key for key in ALL_KEYS if key in chosen)
    assert form == InviteForm("x@example.com y@example.com", False, expected)
    assert form.granted == expected


def test_an_empty_email_field_reads_as_empty() -> None:
    assert parse_invite(submitted(invite_modal(), {ids.EMAILS_BLOCK: None})).emails_text == ""


# --- Manage Permissions -----------------------------------------------------------------------


@pytest.mark.parametrize("current", SOME_PERMISSIONS)
def test_permissions_modal_ticks_the_current_permissions(current: tuple[str, ...]) -> None:
    view = permissions_modal("finance@acme.example.com", current)
    assert_valid_modal(view)  # initial_options exactly equal to options
    assert view["callback_id"] == ids.PERMISSIONS_MODAL
    assert view["private_metadata"] == "finance@acme.example.com"
    assert view["title"]["text"] == "Manage Permissions"
    assert view["submit"]["text"] == "Save"
    ticked = [
        o["value"]
        for block in input_blocks(view).values()
        for o in block["element"].get("initial_options", [])
    ]
    assert ticked == [key for key in ALL_KEYS if key in current]
    assert parse_permissions(submitted(view)) == tuple(ticked)


@pytest.mark.parametrize("after", SOME_PERMISSIONS)
def test_saved_permissions_round_trip(after: tuple[str, ...]) -> None:
    view = permissions_modal("a@example.com", ("invoices",))
    expected = tuple(key for key in ALL_KEYS if key in after)
    assert parse_permissions(submitted(view, split(after))) == expected


def test_unknown_current_keys_are_not_ticked() -> None:
    view = permissions_modal("a@example.com", ("invoices", "admin"))
    assert_valid_modal(view)
    assert parse_permissions(submitted(view)) == ("invoices",)


def test_the_email_is_shown_escaped_and_kept_whole_in_metadata() -> None:
    email = "<!channel><@U123>@example.com"
    view = permissions_modal(email, ())
    assert view["private_metadata"] == email
    assert "&lt;!channel&gt;&lt;@U123&gt;@example.com" in rendered(view)
    assert_no_raw_markup(rendered(view))


def test_permissions_modal_for_a_huge_email_is_valid() -> None:
    view = permissions_modal(HUGE_EMAIL, ALL_KEYS)
    assert_valid_modal(view)
    assert len(view["private_metadata"]) == 3000


def test_forged_keys_are_passed_on_for_the_core_to_refuse() -> None:
    values = {
        ids.PERMISSIONS_BLOCK: {
            ids.PERMISSIONS_INPUT: {
                "type": "checkboxes",
                "selected_options": [{"value": "root"}, {"value": "orders"}, {"value": "root"}],
            }
        },
        ids.PERMISSIONS_MORE_BLOCK: {
            ids.PERMISSIONS_INPUT: {
                "type": "checkboxes",
                "selected_options": [{"value": "profile"}, {"value": ""}],
            }
        },
    }
    assert parse_permissions(values) == ("profile", "orders", "root")


# --- Add Contact ------------------------------------------------------------------------------


def test_contact_modal_asks_name_email_and_which_emails_all_ticked() -> None:
    view = contact_modal()
    assert_valid_modal(view)
    assert view["callback_id"] == ids.CONTACT_MODAL
    assert (view["title"]["text"], view["submit"]["text"]) == ("Add Contact", "Add Contact")
    blocks = input_blocks(view)
    assert list(blocks) == [
        ids.CONTACT_NAME_BLOCK,
        ids.CONTACT_EMAIL_BLOCK,
        ids.CONTACT_KINDS_BLOCK,
    ]
    assert blocks[ids.CONTACT_NAME_BLOCK]["optional"] is True
    assert blocks[ids.CONTACT_EMAIL_BLOCK]["optional"] is False
    kinds = blocks[ids.CONTACT_KINDS_BLOCK]["element"]
    assert kinds["type"] == "checkboxes"
    assert [o["text"]["text"] for o in kinds["options"]] == [
        "General",
        "Product",
        "Domain",
        "Invoice",
        "Support",
        "Affiliate",
    ]
    assert [o["description"]["text"] for o in kinds["options"]] == [
        k.description for k in EMAIL_KINDS
    ]
    assert parse_contact(submitted(view)) == ContactForm("", "", ALL_EMAIL_KINDS)


def test_a_filled_in_contact_form_comes_back_as_typed_and_ticked() -> None:
    answers = {
        ids.CONTACT_NAME_BLOCK: " Lee Park ",
        ids.CONTACT_EMAIL_BLOCK: "Lee@Example.com",
        ids.CONTACT_KINDS_BLOCK: ["invoice", "support"],
    }
    form = parse_contact(submitted(contact_modal(), answers))
    assert form == ContactForm(" Lee Park ", "Lee@Example.com", ("invoice", "support"))
    nothing = parse_contact(submitted(contact_modal(), {ids.CONTACT_KINDS_BLOCK: []}))
    assert nothing.email_kinds == ()


# --- Settings ---------------------------------------------------------------------------------


def test_settings_modal_shows_the_current_settings() -> None:
    view = settings_modal("C0BILLING", DEFAULT_TIMINGS)
    assert_valid_modal(view)
    assert view["callback_id"] == ids.SETTINGS_MODAL
    assert view["title"]["text"] == "Billing Settings"
    blocks = input_blocks(view)
    assert list(blocks) == [ids.CHANNEL_BLOCK, ids.FIRST_BLOCK, ids.REPEAT_BLOCK, ids.EXPIRY_BLOCK]
    channel = blocks[ids.CHANNEL_BLOCK]["element"]
    assert channel["type"] == "conversations_select"
    assert channel["action_id"] == ids.CHANNEL_INPUT
    assert channel["initial_conversation"] == "C0BILLING"
    assert channel["default_to_current_conversation"] is False
    assert channel["filter"] == {"include": ["public", "private"]}
    inputs = [(ids.FIRST_BLOCK, ids.FIRST_INPUT), (ids.REPEAT_BLOCK, ids.REPEAT_INPUT)]
    inputs.append((ids.EXPIRY_BLOCK, ids.EXPIRY_INPUT))
    for (block_id, action_id), initial in zip(inputs, ["1d", "1d", "7d"], strict=True):
        assert blocks[block_id]["element"]["action_id"] == action_id
        assert blocks[block_id]["element"]["initial_value"] == initial
        assert blocks[block_id]["hint"]["text"] == "e.g. 90s, 15m, 24h, 7d"
    assert parse_settings(submitted(view)) == SettingsForm("C0BILLING", "1d", "1d", "7d")


def test_changed_settings_come_back_as_typed() -> None:
    timings = Timings(timedelta(seconds=90), timedelta(minutes=15), timedelta(days=2))
    view = settings_modal("C1", timings)
    assert parse_settings(submitted(view)) == SettingsForm("C1", "90s", "15m", "2d")
    answers = {ids.CHANNEL_BLOCK: "C2", ids.FIRST_BLOCK: " 1h ", ids.EXPIRY_BLOCK: None}
    assert parse_settings(submitted(view, answers)) == SettingsForm("C2", " 1h ", "15m", "")


def test_settings_modal_without_a_channel() -> None:
    view = settings_modal("", DEFAULT_TIMINGS)
    assert_valid_modal(view)
    assert "initial_conversation" not in input_blocks(view)[ids.CHANNEL_BLOCK]["element"]
    assert parse_settings(submitted(view)).channel_id == ""


# --- Errors -----------------------------------------------------------------------------------


def test_field_errors_answer_keeps_the_modal_open() -> None:
    answer = field_errors(**{ids.EMAILS_BLOCK: "“x” is not valid", ids.PERMISSIONS_BLOCK: "Pick"})
    assert answer == {
        "response_action": "errors",
        "errors": {ids.EMAILS_BLOCK: "“x” is not valid", ids.PERMISSIONS_BLOCK: "Pick"},
    }
    long = field_errors(emails="e" * 5000)["errors"]["emails"]
    assert len(long) <= 300 and long.endswith("…")


def test_every_id_in_the_modals_is_a_constant() -> None:
    known = {value for name, value in vars(ids).items() if name.isupper()}
    for view in (
        invite_modal(),
        permissions_modal("a@b.c", ()),
        contact_modal(),
        settings_modal("C", DEFAULT_TIMINGS),
    ):
        used = {o[key] for o in walk(view) for key in ("block_id", "action_id") if key in o}
        assert used | {view["callback_id"]} <= known


# --- Whatever Slack (or anyone) sends, the parsers answer ------------------------------------

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=20,
)
_BLOCK_IDS = st.sampled_from(sorted(v for k, v in vars(ids).items() if k.endswith("_BLOCK")))
_ACTION_IDS = st.sampled_from(sorted(v for k, v in vars(ids).items() if k.endswith("_INPUT")))
_FIELDS = st.sampled_from(
    ["type", "value", "selected_option", "selected_options", "selected_conversation"]
)
_STATE = st.dictionaries(_FIELDS, _JSON | st.lists(st.dictionaries(st.just("value"), _JSON)))
_VALUES = st.dictionaries(
    _BLOCK_IDS | st.text(max_size=8),
    st.dictionaries(_ACTION_IDS | st.text(max_size=8), _STATE | _JSON) | _JSON,
)


@given(_VALUES | _JSON)
def test_parsers_never_raise(values: Any) -> None:
    invite = parse_invite(values)
    assert isinstance(invite.emails_text, str) and isinstance(invite.grant_all, bool)
    for keys in (invite.permissions, parse_permissions(values)):
        assert all(isinstance(key, str) and key for key in keys)
        assert len(set(keys)) == len(keys)
    settings = parse_settings(values)
    assert all(isinstance(getattr(settings, f), str) for f in ("channel_id", "first", "repeat"))
    assert isinstance(settings.expiry, str)
    contact = parse_contact(values)
    assert isinstance(contact.name, str) and isinstance(contact.email, str)
    assert all(isinstance(kind, str) and kind for kind in contact.email_kinds)


def test_outcome_and_notice_modals_only_show_and_close() -> None:
    outcome = modals.message_modal("Invite New User", Message("Done", [{"type": "divider"}]))
    notice = modals.notice_modal("Sorry, only the owner of Acme &lt;Ltd&gt; can do that.")
    for view in (outcome, notice):
        assert_valid_modal(view)
        assert view["callback_id"] == ids.NOTICE_MODAL
        assert "submit" not in view
    assert notice["blocks"][0]["text"]["text"].startswith("Sorry, only the owner")


def test_a_huge_notice_is_cut_to_fit() -> None:
    assert_valid_modal(modals.notice_modal("x" * 10_000))
