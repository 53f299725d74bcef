"""The permission catalogue and permission sets."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.errors import InvalidPermissions
from bot.core.permissions import ALL_KEYS, CATALOGUE, labels, parse_permissions


def test_catalogue_lists_the_13_permissions_in_the_billing_systems_order() -> None:
    assert ALL_KEYS == (
        "profile",
        "contacts",
        "products",
        "manageproducts",
        "productsso",
        "domains",
        "managedomains",
        "invoices",
        "quotes",
        "tickets",
        "affiliates",
        "emails",
        "orders",
    )
    assert CATALOGUE[0].label == "Modify Master Account Profile"
    assert CATALOGUE[-1].label == "Place New Orders/Upgrades/Cancellations"
    assert all(permission.description for permission in CATALOGUE)


def test_a_set_comes_back_once_each_in_catalogue_order() -> None:
    assert parse_permissions(["orders", "invoices", "orders", "profile"]) == (
        "profile",
        "invoices",
        "orders",
    )


def test_labels_follow_catalogue_order() -> None:
    assert labels(["quotes", "invoices"]) == ["View & Pay Invoices", "View & Accept Quotes"]


def test_unknown_key_is_named() -> None:
    with pytest.raises(InvalidPermissions, match="'admin'"):
        parse_permissions(["invoices", "admin"])


def test_empty_set_is_refused_unless_allowed() -> None:
    with pytest.raises(InvalidPermissions, match="at least one"):
        parse_permissions([])
    assert parse_permissions([], allow_empty=True) == ()


@given(st.lists(st.one_of(st.sampled_from(ALL_KEYS), st.text(max_size=300)), max_size=40))
def test_any_input_gives_an_ordered_subset_or_a_clear_error(keys: list[str]) -> None:
    try:
        parsed = parse_permissions(keys)
    except InvalidPermissions as error:
        assert error.message
        assert len(error.message) < 400
        return
    assert set(parsed) == set(keys)
    assert list(parsed) == [key for key in ALL_KEYS if key in parsed]
