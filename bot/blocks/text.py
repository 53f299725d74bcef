"""Text for Slack: escaping, truncation, permission summaries, ages and dates."""

import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from bot.core.permissions import ALL_KEYS, labels

ELLIPSIS = "…"
ALL_PERMISSIONS = "All Permissions"
NO_PERMISSIONS = "no permissions"
EMAIL_SHOWN = 320
NAME_SHOWN = 200

# A cut must not leave half an entity (``&am``) or half a token (``<@U12``, ``<!date^…``)
# at the end; only this much of the tail is searched for one.
_TOKEN_TAIL = 160
_BROKEN_TAIL = re.compile(r"(?:&[#\w]{0,10}|<[^<>]*)\Z")
_UNITS = (("day", 86400), ("hour", 3600), ("minute", 60))


def escape(text: str) -> str:
    """``text`` with Slack's three control characters as entities, so it cannot mention anyone.

    Slack reads ``&``, ``<`` and ``>`` as control characters in every text object:
    https://api.slack.com/reference/surfaces/formatting#escaping
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def truncate(text: str, limit: int) -> str:
    """``text`` if it fits in ``limit`` characters, else its start ending in "…".

    The cut never splits an entity or a ``<…>`` token, so escaped text stays escaped and
    mentions or date tokens are either whole or gone.
    """
    if len(text) <= limit:
        return text
    head = text[: max(limit - 1, 0)]
    tail_start = max(len(head) - _TOKEN_TAIL, 0)
    broken = _BROKEN_TAIL.search(head, tail_start)
    if broken is not None:
        head = head[: broken.start()]
    return head + ELLIPSIS


def shown_email(email: str) -> str:
    """An email for mrkdwn: escaped, and short enough to leave room for the rest of a line."""
    return truncate(escape(email), EMAIL_SHOWN)


def shown_name(name: str) -> str:
    """An account or contact name for mrkdwn (or a header): escaped and kept short."""
    return truncate(escape(name), NAME_SHOWN)


def bullets(lines: Sequence[str], limit: int) -> str:
    """Safe mrkdwn ``lines`` as a bulleted list of at most ``limit`` characters.

    When they do not all fit, as many as fit are listed, then "…and N more".
    """
    items = [f"• {line}" for line in lines]
    everything = "\n".join(items)
    if len(everything) <= limit:
        return everything
    room = limit - len(f"\n…and {len(items)} more")
    shown: list[str] = []
    used = -1  # no newline before the first item
    for item in items:
        used += 1 + len(item)
        if used > room:
            break
        shown.append(item)
    return "\n".join([*shown, f"…and {len(items) - len(shown)} more"])


def mention(user_id: str) -> str:
    """A mention of a Slack user id the bot stored itself (never of text a person typed)."""
    return f"<@{escape(user_id)}>"


def channel(channel_id: str) -> str:
    """A link to a channel id the bot stored itself."""
    return f"<#{escape(channel_id)}>"


def permission_summary(keys: Iterable[str]) -> str:
    """ "All Permissions", the labels in catalogue order, or "no permissions" (plain text)."""
    chosen = set(keys)
    if chosen.issuperset(ALL_KEYS):
        return ALL_PERMISSIONS
    return ", ".join(labels(chosen)) or NO_PERMISSIONS


def age(since: datetime, now: datetime) -> str:
    """How long ago ``since`` was, seen from ``now``: "just now", "1 hour ago", "3 days ago"."""
    seconds = int((_aware(now) - _aware(since)).total_seconds())
    for unit, size in _UNITS:
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'' if count == 1 else 's'} ago"
    return "just now"


def date_token(moment: datetime) -> str:
    """A date Slack shows in each reader's own time zone, with a UTC fallback."""
    aware = _aware(moment)
    fallback = aware.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(aware.timestamp())}^{{date_short_pretty}} at {{time}}|{fallback}>"


def _aware(moment: datetime) -> datetime:
    """Stored timestamps are UTC; a naive one is read as such."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
