"""Durations as people write them: plain seconds, or a number with s, m, h or d."""

import re
from datetime import timedelta

_DURATION = re.compile(r"(?P<amount>\d+(?:\.\d+)?)\s*(?P<unit>[smhd]?)")
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str) -> timedelta:
    """``"90"`` or ``"90s"``, ``"15m"``, ``"24h"``, ``"7d"``; anything else is a ``ValueError``."""
    match = _DURATION.fullmatch(text.strip().lower())
    if match is None:
        raise ValueError(
            f"{text[:40]!r} is not a duration; use seconds or a number with s, m, h or d"
        )
    seconds = float(match["amount"]) * _UNIT_SECONDS[match["unit"]]
    if seconds <= 0:
        raise ValueError("a duration must be longer than zero")
    return timedelta(seconds=seconds)


def format_duration(value: timedelta) -> str:
    """The shortest exact form: ``7d``, ``24h``, ``90m``, ``45s``."""
    seconds = int(value.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
