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
        ("connect 12", Command(Verb.CONNECT, client_id=12)),
        ("Connect 007", Command(Verb.CONNECT, client_id=7)),
        ("connect 2147483647", Command(Verb.CONNECT, client_id=2147483647)),
        (
            "connect 12 123456",
            Command(Verb.CONNECT_WITH_CODE, client_id=12, code="123456"),
        ),
        (
            " CONNECT  12   01234567 ",
            Command(Verb.CONNECT_WITH_CODE, client_id=12, code="01234567"),
        ),
        ("disconnect", Command(Verb.DISCONNECT)),
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
        "disconnect now",
    ],
)
def test_anything_else_is_not_understood_and_quoted(text: str) -> None:
    command = parse_command(text)
    assert command.verb == Verb.UNKNOWN
    assert command.argument == text


@pytest.mark.parametrize(
    "text",
    [
        "connect",
        "connect abc",
        "connect 12abc",
        "connect #12",
        "connect 0",
        "connect -3",
        "connect 1.5",
        "connect 2147483648",  # past what WHMCS (and the column) can number
        "connect 99999999999",
        "connect \u0661\u0662",  # digits, but not ASCII ones
        "connect 12 12345",
        "connect 12 123456789",
        "connect 12 12a456",
        "connect 12 \u0661\u0662\u0663\u0664\u0665\u0666",
        "connect 12 123456 please",
        "connect abc 123456",
    ],
)
def test_a_connect_with_a_bad_client_id_or_code_is_not_understood(text: str) -> None:
    assert parse_command(text) == Command(Verb.UNKNOWN, argument=text)


@given(st.text(max_size=10_000))
def test_any_text_parses_without_error(text: str) -> None:
    command = parse_command(text)
    assert isinstance(command.verb, Verb)
    assert len(command.argument) <= 4000
