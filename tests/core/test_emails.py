"""Email validation and normalisation."""

import string
import unicodedata
from random import Random

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from bot.core import BillingAccess
from bot.core.emails import MAX_EMAILS_AT_ONCE, normalise_email, parse_email_list
from bot.core.errors import InvalidEmail, InvalidInput, NotAuthorized
from tests.conftest import TEAM
from tests.core.helpers import invite


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
        assert not set(email) & set(string.ascii_uppercase)
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


def _ascii_look_alike(character: str) -> str | None:
    """The ASCII letters or digits that lower, upper, casefold or NFKC make of
    ``character`` (combining marks left out), if that is what they make."""
    for fold in (str.lower, str.upper, str.casefold, _nfkc):
        folded = "".join(c for c in fold(character) if not unicodedata.combining(c))
        if folded.isascii() and folded.isalnum():
            return folded
    return None


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


_LOOK_ALIKES = {
    character: ascii_form
    for character in map(chr, range(0x80, 0x10000))
    if (ascii_form := _ascii_look_alike(character))
}
_DOMAINS = ["example.com", "Example.COM", "exämple.com", "EXÄMPLE.org", "ß.example"]
_LETTERS = [*string.ascii_letters, *string.digits, "é", "É", "ß", "ø", "Ø", "Σ", "\u03c3", "ж", "Ж"]
_COMBINING_MARKS = ["\u0301", "\u0308", "\u030c", "\u0327"]


def _address(alphabet: list[str]) -> st.SearchStrategy[str]:
    local = st.text(st.sampled_from(alphabet), min_size=1, max_size=12)
    return st.builds("{}@{}".format, local, st.sampled_from(_DOMAINS))


def _valid(email: str) -> str:
    try:
        return normalise_email(email)
    except InvalidEmail:
        assume(False)
        raise


@given(_address(_LETTERS + _COMBINING_MARKS))
@example("J\u030cim@example.com")  # no precomposed capital J with caron; there is a small one
def test_normalising_twice_changes_nothing(email: str) -> None:
    once = _valid(email)
    assert normalise_email(once) == once


# No combining marks: an ASCII letter followed by one composes into a non-ASCII letter
# (E + U+0301 is É), and non-ASCII letters keep their case.
@given(_address(_LETTERS), st.randoms())
def test_addresses_that_differ_only_in_ascii_case_are_the_same(email: str, random: Random) -> None:
    recased = "".join(c.swapcase() if c.isascii() and random.random() < 0.5 else c for c in email)
    assert normalise_email(recased) == _valid(email)


@given(
    st.text(st.sampled_from(string.ascii_lowercase), max_size=6),
    st.sampled_from(sorted(_LOOK_ALIKES)),
    st.text(st.sampled_from(string.ascii_lowercase), max_size=6),
    st.booleans(),
)
@example("", "\u212a", "im", False)  # KELVIN SIGN
@example("", "\u0130", "m", False)  # LATIN CAPITAL LETTER I WITH DOT ABOVE
@example("", "\u212a", "xample", True)
def test_a_non_ascii_character_never_stands_for_its_ascii_look_alike(
    before: str, look_alike: str, after: str, in_the_domain: bool
) -> None:
    def address(middle: str) -> str:
        word = before + middle + after
        return f"someone@{word}.com" if in_the_domain else f"{word}@example.com"

    plain = _valid(address(_LOOK_ALIKES[look_alike]))
    try:
        disguised = normalise_email(address(look_alike))
    except InvalidEmail:
        return
    assert disguised != plain


@given(_address(_LETTERS + _COMBINING_MARKS))
@example("e\u0301mile@example.com")
def test_composed_and_decomposed_forms_are_the_same(email: str) -> None:
    composed = _valid(unicodedata.normalize("NFC", email))
    assert normalise_email(unicodedata.normalize("NFD", email)) == composed


def test_a_kelvin_sign_is_refused_by_name() -> None:
    with pytest.raises(InvalidEmail, match="KELVIN SIGN"):
        normalise_email("\u212aim@example.com")


@pytest.mark.parametrize(
    "slack_email", ["\u212aim@example.com", "k\u0130m@example.com", "k\u0131m@example.com"]
)
def test_a_look_alike_slack_email_does_not_accept_the_invitation(
    billing: BillingAccess, slack_email: str
) -> None:
    invitation = invite(billing, "kim@example.com", ["invoices"])
    assert invitation.id is not None
    with pytest.raises(NotAuthorized, match="addressed to someone else"):
        billing.invitations.accept(TEAM, invitation.id, user_id="U0EVE", user_email=slack_email)
    assert billing.members.access_for(TEAM, "kim@example.com").status == "invited"
