"""Fixed identities of the stand-in workspace and generators for Slack-style ids and timestamps."""

import itertools

TEAM_ID = "T0001"
TEAM_NAME = "Stub Workspace"
TEAM_DOMAIN = "stub-workspace"
TEAM_URL = f"https://{TEAM_DOMAIN}.slack.com/"
BOT_USER_ID = "U0BOT0001"
BOT_USER_NAME = "billing-access"
BOT_ID = "B0BOT0001"
APP_ID = "A0APP0001"

_FIRST_TS_MICROS = 1_700_000_000_000_000
_TS_STEP_MICROS = 100


class IdFactory:
    """Hands out unique ids ("V00000001"), message timestamps and view hashes, in order."""

    def __init__(self) -> None:
        self._counter = itertools.count(1)

    def _next(self) -> int:
        return next(self._counter)

    def new_id(self, prefix: str) -> str:
        """A fresh id such as ``D00000003`` for ``prefix="D"``."""
        return f"{prefix}{self._next():08d}"

    def new_ts(self) -> str:
        """A fresh message ``ts`` such as ``1700000000.000100``, greater than all earlier ones."""
        micros = _FIRST_TS_MICROS + self._next() * _TS_STEP_MICROS
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def new_hash(self) -> str:
        """A fresh view hash such as ``1700000000.0000002a``."""
        return f"{_FIRST_TS_MICROS // 1_000_000}.{self._next():08x}"
