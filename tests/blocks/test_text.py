"""Escaping, truncation, permission summaries, ages and dates."""

import re
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.blocks.text import (
    age,
    bullets,
    date_token,
    escape,
    mention,
    permission_summary,
    shown_email,
    truncate,
)
from bot.core.permissions import ALL_KEYS, CATALOGUE
from tests.blocks import HOSTILE, NOW, RAW_MARKUP

_BROKEN_END = re.compile(r"&[#\w]*\Z")


def test_escape_turns_control_characters_into_entities() -> None:
    assert escape("a & b <!channel> <@U123>") == "a &amp; b &lt;!channel&gt; &lt;@U123&gt;"
    assert escape("plain *bold* text") == "plain *bold* text"


@given(st.text())
def test_escaped_text_holds_no_markup(text: str) -> None:
    escaped = escape(text)
    assert "<" not in escaped and ">" not in escaped
    assert escaped.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&") == text


def test_truncate_leaves_short_text_alone_and_ends_long_text_with_an_ellipsis() -> None:
    assert truncate("short", 10) == "short"
    assert truncate("exactly10!", 10) == "exactly10!"
    assert truncate("a" * 20, 10) == "a" * 9 + "…"


def test_truncate_never_splits_an_entity_or_a_token() -> None:
    assert truncate(escape("ab<<<<<<<<"), 6) == "ab…"
    token = date_token(NOW)
    assert truncate(f"expires {token} soon", 20) == "expires …"
    assert truncate(f"hi {mention('U123')} there", 8) == "hi …"


@given(st.text(max_size=400), st.integers(min_value=1, max_value=300))
def test_truncated_escaped_text_fits_and_stays_escaped(text: str, limit: int) -> None:
    cut = truncate(escape(text), limit)
    assert len(cut) <= limit
    if len(escape(text)) <= limit:
        assert cut == escape(text)
    else:
        assert cut.endswith("…")
        assert not _BROKEN_END.search(cut[:-1])
        assert escape(text).startswith(cut[:-1])


def test_shown_email_is_escaped_and_short() -> None:
    shown = shown_email("x" * 1000 + "<@U123>@example.com")
    assert len(shown) <= 320 and shown.endswith("…")
    assert "<" not in shown


def test_mention_of_a_stored_user_id() -> None:
    assert mention("U0OWNER") == "<@U0OWNER>"
    assert mention("U1><!channel") == "<@U1&gt;&lt;!channel>"


@pytest.mark.parametrize(
    ("keys", "summary"),
    [
        (ALL_KEYS, "All Permissions"),
        ((*ALL_KEYS, "unknown"), "All Permissions"),
        ((), "no permissions"),
        (("unknown",), "no permissions"),
        (("invoices",), "View & Pay Invoices"),
        (
            ("orders", "profile", "orders"),
            "Modify Master Account Profile, Place New Orders/Upgrades/Cancellations",
        ),
        (ALL_KEYS[1:], ", ".join(p.label for p in CATALOGUE[1:])),
    ],
)
def test_permission_summary(keys: tuple[str, ...], summary: str) -> None:
    assert permission_summary(keys) == summary


@pytest.mark.parametrize(
    ("elapsed", "text"),
    [
        (timedelta(0), "just now"),
        (timedelta(seconds=59), "just now"),
        (timedelta(minutes=1), "1 minute ago"),
        (timedelta(minutes=59, seconds=59), "59 minutes ago"),
        (timedelta(hours=1), "1 hour ago"),
        (timedelta(hours=23), "23 hours ago"),
        (timedelta(days=1), "1 day ago"),
        (timedelta(days=3, hours=5), "3 days ago"),
        (timedelta(days=400), "400 days ago"),
        (timedelta(minutes=-5), "just now"),
    ],
)
def test_age(elapsed: timedelta, text: str) -> None:
    assert age(NOW - elapsed, NOW) == text


def test_age_reads_naive_timestamps_as_utc() -> None:
    assert age(datetime(2026, 3, 6, 9, 0), NOW) == "3 days ago"


def test_date_token_shows_local_time_with_a_utc_fallback() -> None:
    ts = int(NOW.timestamp())
    expected = f"<!date^{ts}^{{date_short_pretty}} at {{time}}|2026-03-09 09:00 UTC>"
    assert date_token(NOW) == expected
    assert date_token(NOW.astimezone(timezone(timedelta(hours=2)))) == expected
    assert date_token(NOW.replace(tzinfo=None)) == expected
    assert date_token(datetime(2026, 3, 9, 9, 0, tzinfo=UTC)) == expected


def test_bullets_list_everything_that_fits() -> None:
    assert bullets(["a", "b"], 100) == "• a\n• b"
    assert bullets([], 100) == ""


_LINE = st.text(st.characters(blacklist_characters="\n"), min_size=1, max_size=60)


@given(st.lists(_LINE, max_size=200), st.integers(20, 3000))
def test_bullets_stop_with_a_count_of_what_was_left_out(lines: list[str], limit: int) -> None:
    text = bullets(lines, limit)
    assert len(text) <= limit
    shown = [line for line in text.split("\n") if line.startswith("• ")]
    more = re.search(r"…and (\d+) more\Z", text)
    assert len(shown) + (int(more.group(1)) if more else 0) == len(lines)


def test_hostile_sample_contains_every_kind_of_markup() -> None:
    assert all(markup in HOSTILE for markup in RAW_MARKUP)
