"""Email validation and normalisation."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.emails import MAX_EMAILS_AT_ONCE, normalise_email, parse_email_list
from bot.core.errors import InvalidEmail, InvalidInput


def test_emails_are_normalised_to_lower_case() -> None:
    assert normalise_email("  Ana.Lopez@Example.COM ") == "ana.lopez@example.com"


@pytest.mark.parametrize("raw", ["ana", "ana@", "@example.com", "a b@example.com", "a@b", ""])
def test_a_bad_email_is_refused_and_named(raw: str) -> None:
    with pytest.raises(InvalidEmail) as caught:
        normalise_email(raw)
    assert "not a valid email address" in caught.value.message
    assert raw.strip() in caught.value.message


def test_a_list_splits_on_spaces_commas_and_semicolons_and_drops_repeats() -> None:
    assert parse_email_list("a@example.com, B@example.com;c@example.com a@EXAMPLE.com") == [
        "a@example.com",
        "b@example.com",
        "c@example.com",
    ]


def test_one_bad_email_in_a_list_is_named() -> None:
    with pytest.raises(InvalidEmail, match="nope"):
        parse_email_list("a@example.com nope")


def test_empty_and_oversized_lists_are_refused() -> None:
    with pytest.raises(InvalidInput, match="at least one"):
        parse_email_list(" , ; ")
    too_many = " ".join(f"u{i}@example.com" for i in range(MAX_EMAILS_AT_ONCE + 1))
    with pytest.raises(InvalidInput, match="at most"):
        parse_email_list(too_many)


def test_a_very_long_bad_email_is_shortened_in_the_message() -> None:
    with pytest.raises(InvalidEmail) as caught:
        normalise_email("x" * 10_000)
    assert len(caught.value.message) < 300


@given(st.text(max_size=400))
def test_any_text_gives_addresses_or_a_clear_error(text: str) -> None:
    try:
        emails = parse_email_list(text)
    except InvalidInput as error:
        assert error.message
        assert len(error.message) < 500
        return
    assert 1 <= len(emails) <= MAX_EMAILS_AT_ONCE
    for email in emails:
        assert email == email.lower()
        assert normalise_email(email) == email


@given(st.emails())
def test_valid_addresses_round_trip(email: str) -> None:
    try:
        normalised = normalise_email(email)
    except InvalidEmail as error:
        # Hypothesis may draw special-use domains (e.g. .test) that email-validator refuses.
        assert "not a valid email address" in error.message
        return
    assert normalise_email(normalised) == normalised
    if normalised.isascii():
        assert normalise_email(normalised.upper()) == normalised
