"""The slash command grammar of DESIGN §4."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.grammar import Command, Verb, parse_command


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", Command(Verb.INVITE)),
        ("   ", Command(Verb.INVITE)),
        ("ana@example.com", Command(Verb.INVITE, emails=("ana@example.com",))),
        (
            "<mailto:ana@example.com|ana@example.com>, <mailto:bo@example.com|bo@example.com>",
            Command(Verb.INVITE, emails=("ana@example.com", "bo@example.com")),
        ),
        ("list", Command(Verb.LIST)),
        ("LIST", Command(Verb.LIST)),
        ("pending", Command(Verb.PENDING)),
        ("permissions ana@example.com", Command(Verb.PERMISSIONS, emails=("ana@example.com",))),
        (
            "remove <mailto:a@example.com|a@example.com>",
            Command(Verb.REMOVE, emails=("a@example.com",)),
        ),
        ("resend a@example.com", Command(Verb.RESEND, emails=("a@example.com",))),
        ("revoke a@example.com", Command(Verb.REVOKE, emails=("a@example.com",))),
        ("contacts", Command(Verb.CONTACTS)),
        ("contact add", Command(Verb.CONTACT_ADD)),
        ("Contact ADD ", Command(Verb.CONTACT_ADD)),
        ("contact add lee@example.com", Command(Verb.CONTACT_ADD, emails=("lee@example.com",))),
        (
            "contact add lee@example.com Lee Park",
            Command(Verb.CONTACT_ADD, emails=("lee@example.com",), argument="Lee Park"),
        ),
        (
            "contact remove lee@example.com",
            Command(Verb.CONTACT_REMOVE, emails=("lee@example.com",)),
        ),
        ("setup Acme Ltd", Command(Verb.SETUP, argument="Acme Ltd")),
        ("settings", Command(Verb.SETTINGS)),
        ("audit", Command(Verb.AUDIT)),
        ("help", Command(Verb.HELP)),
        ("help me", Command(Verb.HELP)),
    ],
)
def test_the_grammar(text: str, expected: Command) -> None:
    assert parse_command(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "frobnicate",
        "list everything",
        "remove",
        "remove a@example.com b@example.com",
        "setup",
        "contact",
        "contact delete a@example.com",
        "ana@example.com and bo",
    ],
)
def test_anything_else_is_not_understood_and_quoted(text: str) -> None:
    command = parse_command(text)
    assert command.verb == Verb.UNKNOWN
    assert command.argument == text


@given(st.text(max_size=10_000))
def test_any_text_parses_without_error(text: str) -> None:
    command = parse_command(text)
    assert isinstance(command.verb, Verb)
    assert len(command.argument) <= 4000
